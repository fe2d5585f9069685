import ArgumentParser

/// The exit codes scripts can rely on.
public enum CLIExitCode {
    /// The command did what was asked.
    public static let success = ExitCode(0)
    /// The server refused the request (a 4xx: bad input, unknown id, no permission), or the
    /// CLI cannot act (not logged in, unreadable config).
    public static let failure = ExitCode(1)
    /// The arguments do not parse or fail a check before anything is sent (argument parser errors).
    public static let usage = ExitCode(2)
    /// The server cannot be reached, or failed on its side (a 5xx).
    public static let unavailable = ExitCode(3)
}
