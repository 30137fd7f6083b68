/**
 * Source citations as links, for every Markdown surface users read (hovers, model tooltips, docs/rules pages):
 * messages cite upstream as `owner/repo#123` or owner/repo `path/in/repo`, which mean nothing unlinked outside
 * GitHub. Internal notes (the team's domain reference) are never cited to users: they do not have them.
 */

/** Organisations whose repositories our messages cite; limits the match to real citations. */
const OWNERS = [
  'openvinotoolkit',
  'huggingface',
  'microsoft',
  'intel',
  'onnx',
  'ggml-org',
  'ggerganov',
  'apple',
  'pytorch',
];
const OWNER = `(?:${OWNERS.join('|')})`;
const REPO = `${OWNER}/[A-Za-z0-9_.-]+`;

/** `owner/repo#123`, not already inside a Markdown link's text or target. */
const ISSUE = new RegExp(`(?<![\\[/\\w])(${REPO})#(\\d+)(?![\\]\\w])`, 'g');
/** owner/repo `path` (a file or folder in the repository), not already linked. */
const FILE = new RegExp(`(?<![\\[/\\w])(${REPO}) \`([A-Za-z0-9_./-]+)\`(?!\\])`, 'g');
/** "(DOMAIN-REFERENCE.md §1.1)" and bare "DOMAIN-REFERENCE.md §2 ..." section pointers. */
const INTERNAL = /\s*\(DOMAIN-REFERENCE\.md[^)]*\)|DOMAIN-REFERENCE\.md(?:\s*§[\d.]+(?:-§?[\d.]+)?,?)+\s*/g;

export function githubIssueUrl(repo: string, number: string): string {
  // GitHub redirects /issues/N to /pull/N when N is a pull request.
  return `https://github.com/${repo}/issues/${number}`;
}

export function githubFileUrl(repo: string, path: string): string {
  // HEAD: the default branch, whatever it is called.
  return `https://github.com/${repo}/blob/HEAD/${path.replace(/^\/+/, '')}`;
}

/**
 * Links the citations in `text` and drops pointers to internal notes. `escapeText` escapes the text between the
 * citations (plain text such as a verdict reason going into Markdown); by default it is kept as is. Idempotent.
 */
export function linkCitations(text: string, escapeText: (plain: string) => string = (plain) => plain): string {
  const cleaned = text.replace(INTERNAL, '');
  const citation = new RegExp(`${ISSUE.source}|${FILE.source}`, 'g');
  let out = '';
  let last = 0;
  for (const match of cleaned.matchAll(citation)) {
    const [, issueRepo, number, fileRepo, path] = match;
    out += escapeText(cleaned.slice(last, match.index));
    out +=
      issueRepo && number
        ? `[${issueRepo}#${number}](${githubIssueUrl(issueRepo, number)})`
        : `[${fileRepo} \`${path}\`](${githubFileUrl(String(fileRepo), String(path))})`;
    last = match.index + match[0].length;
  }
  return out + escapeText(cleaned.slice(last));
}
