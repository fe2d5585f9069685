import ArgumentParser

/// `--wait` and `--timeout`, for the commands whose work is queued as a job.
struct WaitOptions: ParsableArguments {
    @Flag(help: "Wait until the queued work has ended, then print how it ended; exit 1 when it failed.")
    var wait = false

    @Option(help: ArgumentHelp("How long --wait waits, in seconds.", valueName: "seconds"))
    var timeout: Int = 600

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
    }
}
