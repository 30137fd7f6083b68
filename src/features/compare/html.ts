import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export const COMPARE_VIEW_TYPE = 'quantDrift.compare';

/** A fresh nonce per render, from the crypto RNG (never Math.random). */
export function makeNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

/** Webview options: scripts on, and nothing readable outside media/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
    // No retainContextWhenHidden: the host holds the state and the page catches up on `ready`.
  };
}

/**
 * The page shell: CSP `default-src 'none'`, scripts and styles only with this render's nonce or from
 * media/ (the toolkit reads the csp-nonce meta for its own style elements, so no inline-style violation).
 */
export function compareHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce = makeNonce()): string {
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dist', name));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${asset('styles.css').toString()}">
<title>Compare Quantized</title>
</head>
<body data-quant-drift="compare">
<main id="app" aria-live="polite"><p class="loading">Loading the comparison…</p></main>
<script nonce="${nonce}" src="${asset('compare.js').toString()}"></script>
</body>
</html>`;
}
