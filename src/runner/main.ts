// Runner child process entry; the drift-engine owner replaces this file.
