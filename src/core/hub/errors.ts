/** A download that cannot go on, with a message fit for the user (never containing the token). */
export class HubDownloadError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'HubDownloadError';
  }
}
