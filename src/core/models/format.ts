/** Human-readable sizes and parameter counts, shared by the CLI text output and the tree. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatParams(params: number | null): string {
  if (params === null) return '? params';
  if (params >= 1e9) return `${(params / 1e9).toFixed(1)}B params`;
  if (params >= 1e6) return `${(params / 1e6).toFixed(1)}M params`;
  if (params >= 1e3) return `${(params / 1e3).toFixed(1)}K params`;
  return `${params} params`;
}
