// Compare panel webview entry; the compare-panel owner replaces this file.
