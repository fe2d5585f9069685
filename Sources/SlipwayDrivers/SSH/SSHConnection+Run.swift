import Foundation

extension SSHConnection {
    /// Runs `argv` on the server and returns its exit code and output, byte for byte.
    ///
    /// The argv becomes shell text only through `ShellQuoting`, inside a fixed wrapper (`RemoteCommand`).
    /// `stdin`, when given, is exactly what the command reads. Past `deadline`, or when the calling task is
    /// cancelled, the local `ssh` is killed and the remote process with it, and `SSHError.timedOut` (or
    /// `CancellationError`) is thrown. A non-zero exit is a result, not an error.
    public nonisolated func run(_ argv: [String], stdin: Data? = nil, deadline: Duration) async throws
        -> CommandResult
    {
        let text = try RemoteCommand.text(for: argv, stdinByteCount: stdin?.count)
        let until = ContinuousClock.now.advanced(by: deadline)
        return try await LocalProcess.withDeadline(deadline) {
            var sink = CollectingSink()
            let exitCode = try await self.execute(text, stdin: stdin, until: until, sink: &sink)
            return CommandResult(exitCode: exitCode, stdout: sink.stdout, stderr: sink.stderr)
        }
    }

    /// Runs `argv` like `run`, handing each line of output to `onLine` as it arrives (builds, logs), and
    /// returns the exit code. If `onLine` throws, the command is stopped and the error rethrown.
    public nonisolated func stream(
        _ argv: [String], stdin: Data? = nil, deadline: Duration,
        onLine: @escaping @Sendable (OutputLine) async throws -> Void
    ) async throws -> Int32 {
        let text = try RemoteCommand.text(for: argv, stdinByteCount: stdin?.count)
        let until = ContinuousClock.now.advanced(by: deadline)
        return try await LocalProcess.withDeadline(deadline) {
            var sink = LineSink(onLine: onLine)
            return try await self.execute(text, stdin: stdin, until: until, sink: &sink)
        }
    }

    /// Sends the command through the master, holding one of `maxSessions` permits. Runs it again only when
    /// it provably never started: no master to talk to (a new one is established first), or the server
    /// refused another session.
    private nonisolated func execute<Sink: CommandSink>(
        _ text: String, stdin: Data?, until: ContinuousClock.Instant, sink: inout Sink
    ) async throws -> Int32 {
        var refusals = 0
        while true {
            let master = try await ensureMaster(until: until)
            try await sessions.acquire()
            let exitCode: Int32
            do {
                defer { sessions.release() }
                exitCode = try await runClient(text, stdin: stdin, master: master, sink: &sink)
            }
            guard exitCode == 255 else {
                try await sink.finish()
                return exitCode
            }
            switch SSHFailure.client(stderr: sink.stderrTail) {
            case .remoteExit:
                try await sink.finish()
                return exitCode
            case .noMaster:
                logger.debug("no master behind the control socket; establishing a new one")
                await forget(master)
                sink.abandon()
            case .sessionRefused:
                refusals += 1
                sink.abandon()
                try await Task.sleep(for: min(.milliseconds(50 * refusals), .seconds(1)))
            case .masterLost(let reason):
                await forget(master)
                try await sink.finish()
                throw SSHError.connectionLost(reason)
            }
        }
    }

    /// One `ssh -S` client for the command; its output goes to `sink` as it comes. Cancellation kills it.
    private nonisolated func runClient<Sink: CommandSink>(
        _ text: String, stdin: Data?, master: Master, sink: inout Sink
    ) async throws -> Int32 {
        let argv = commandLine.client(controlPath: master.controlPath, remoteCommand: text)
        let process: LocalProcess
        do {
            // Standard input stays open while the command runs: its end is the remote wrapper's signal to stop.
            process = try LocalProcess.start(
                argv, environment: commandLine.environment(askpass: false),
                input: .data(stdin ?? Data(), thenClose: false))
        } catch {
            throw SSHError.localFailure("cannot start ssh: \(error)")
        }
        var exitCode: Int32 = 255
        do {
            try await withTaskCancellationHandler {
                for await event in process.events {
                    switch event {
                    case .stdout(let data): try await sink.take(.stdout, data)
                    case .stderr(let data): try await sink.take(.stderr, data)
                    case .exited(let termination): exitCode = termination.exitCode
                    }
                }
            } onCancel: {
                process.terminate()
            }
        } catch {
            process.terminate()
            throw error
        }
        try Task.checkCancellation()
        return exitCode
    }
}

/// Where one command's output goes, attempt by attempt.
protocol CommandSink {
    mutating func take(_ stream: OutputLine.Stream, _ data: Data) async throws
    /// The attempt never started the command: forget what it printed (ssh's own complaints).
    mutating func abandon()
    /// The command ended: deliver whatever is still held.
    mutating func finish() async throws
    /// The end of standard error, to tell ssh's failures from the command's own exit 255.
    var stderrTail: String { get }
}

struct CollectingSink: CommandSink {
    var stdout = Data()
    var stderr = Data()

    mutating func take(_ stream: OutputLine.Stream, _ data: Data) async throws {
        switch stream {
        case .stdout: stdout.append(data)
        case .stderr: stderr.append(data)
        }
    }

    mutating func abandon() {
        stdout = Data()
        stderr = Data()
    }

    mutating func finish() async throws {}

    var stderrTail: String { String(decoding: stderr.suffix(4096), as: UTF8.self) }
}

/// Splits output into lines for `stream`. Leading stderr lines that only the local ssh client prints (it
/// could not reach the master) are held back until the command is known to have started.
struct LineSink: CommandSink {
    let onLine: @Sendable (OutputLine) async throws -> Void
    private var partial: [OutputLine.Stream: Data] = [:]
    private var held: [OutputLine] = []
    private var started = false
    private(set) var stderrTail = ""

    init(onLine: @escaping @Sendable (OutputLine) async throws -> Void) {
        self.onLine = onLine
    }

    mutating func take(_ stream: OutputLine.Stream, _ data: Data) async throws {
        if stream == .stderr {
            stderrTail = String((stderrTail + String(decoding: data, as: UTF8.self)).suffix(4096))
        }
        var buffer = (partial[stream] ?? Data()) + data
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
            buffer = Data(buffer[buffer.index(after: newline)...])
            try await emit(OutputLine(stream, line))
        }
        partial[stream] = buffer
    }

    private mutating func emit(_ line: OutputLine) async throws {
        if !started {
            if line.stream == .stderr, SSHFailure.isClientPreamble(line.text) {
                held.append(line)
                return
            }
            started = true
            for earlier in held { try await onLine(earlier) }
            held = []
        }
        try await onLine(line)
    }

    mutating func abandon() {
        partial = [:]
        held = []
        started = false
        stderrTail = ""
    }

    mutating func finish() async throws {
        for stream in [OutputLine.Stream.stdout, .stderr] {
            if let rest = partial[stream], !rest.isEmpty {
                try await emit(OutputLine(stream, String(decoding: rest, as: UTF8.self)))
            }
        }
        partial = [:]
        for earlier in held { try await onLine(earlier) }
        held = []
    }
}
