/** One file moved by an SFTP step. */
export interface SftpTransferredFile {
  /** Base name of the file. */
  filename: string;
  /** Size in bytes, as written. */
  size: number;
  /** Full remote path (as addressed on the server: relative paths are relative to the login folder). */
  remote_path: string;
  /** Absolute local path inside the execution's file area (download target / upload source). */
  path: string;
}

/** Output of an SFTP step, for both operations: `{{steps.dl.output.files[0].path}}` feeds the next step. */
export interface SftpStepOutput {
  files: SftpTransferredFile[];
}
