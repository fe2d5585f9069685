import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program on this machine, started from an argv array (never through a shell), with its output
/// delivered as events while it runs.
///
/// Why not Foundation's `Process`: it learns that a child ended through a socket the child inherits, and
/// reaps children one at a time on a single thread. `ssh` closes every inherited descriptor as it starts,
/// so that thread then blocks in `waitpid` for the first long-running `ssh`, and no other `Process` in the
/// program (ours or anyone's) hears that its child ended before that one does (measured here: a remote
/// `sleep 4` delayed the end of a `true` started after it by 3.7 s). So each child gets its own waiter
/// thread, and one poll loop per child moves its stdin and output; neither pipes nor exits can deadlock.
public final class LocalProcess: Sendable {
    /// What the program reads on standard input.
    public enum Input: Sendable {
        /// `/dev/null`.
        case none
        /// These bytes; then end of file when `thenClose`, else standard input stays open (and silent)
        /// until the program exits.
        case data(Data, thenClose: Bool)
        /// Written while the program runs: `writeInput(_:)` queues bytes, `closeInput()` ends the input
        /// after them (for a binary conversation over standard input and output, like an SFTP session).
        case stream
    }

    public enum Event: Sendable {
        case stdout(Data)
        case stderr(Data)
        /// Always the last event.
        case exited(Termination)
    }

    public struct Termination: Sendable, Equatable {
        /// The exit status, or 128 + N when signal N ended the program.
        public var exitCode: Int32
        public var signal: Int32?
    }

    public let processIdentifier: pid_t
    /// Output and the exit, in order. Stopping the iteration early does not stop the program: call `terminate()`.
    public let events: AsyncStream<Event>

    private let continuation: AsyncStream<Event>.Continuation
    private let state: Mutex<State>
    /// With `.stream` input: the thread that owns standard input and writes what is queued.
    private let streamingInput: StreamingInput?

    private struct State {
        var exited = false
        var termination: Termination?
        var outputDone = false
        var exitedAt: ContinuousClock.Instant?
        var stdinDescriptor: Int32
    }

    /// Starts `argv[0]` (an absolute path, or a name looked up in `PATH`) with exactly `environment`.
    /// `drainGrace` bounds how long output is still read after the program exits, in case a child it left
    /// behind holds the output open.
    public static func start(
        _ argv: [String], environment: [String: String], input: Input = .none, drainGrace: Duration = .seconds(2)
    ) throws -> LocalProcess {
        guard let name = argv.first else { throw LocalProcessError("empty command") }
        guard let path = executable(named: name, path: environment["PATH"]) else {
            throw LocalProcessError("\(name) not found (looked in PATH and the system directories)")
        }
        let pairs = try SocketPair.three()
        let (stdin, stdout, stderr) = (pairs[0], pairs[1], pairs[2])
        var childDescriptors = [stdin.child, stdout.child, stderr.child]
        defer { childDescriptors.forEach { close($0) } }
        let ours = [stdin.parent, stdout.parent, stderr.parent]
        if case .none = input {
            let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard devNull >= 0 else {
                ours.forEach { close($0) }
                throw LocalProcessError("cannot open /dev/null: errno \(errno)")
            }
            childDescriptors[0] = devNull
            close(stdin.child)
        }
        let pid: pid_t
        do {
            pid = try Spawn.run(path: path, argv: argv, environment: environment, descriptors: childDescriptors)
        } catch {
            ours.forEach { close($0) }
            throw error
        }
        for descriptor in ours {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        var pending = Data()
        var thenClose = false
        if case .data(let data, let close) = input {
            pending = data
            thenClose = close
        }
        var streaming: StreamingInput?
        if case .stream = input { streaming = StreamingInput(descriptor: stdin.parent) }
        // A streaming input's thread owns the descriptor (and closes it); no one else may touch it.
        let process = LocalProcess(
            pid: pid, stdinDescriptor: streaming == nil ? stdin.parent : -1, streamingInput: streaming)
        if case .none = input { process.closeStdinNow() }
        let pump = OutputPump(
            process: process, stdout: stdout.parent, stderr: stderr.parent,
            stdin: (pending.isEmpty && !thenClose) || streaming != nil ? -1 : stdin.parent,
            pending: pending, thenClose: thenClose, drainGrace: drainGrace)
        if let streaming { Thread.detachNewThread { streaming.run() } }
        Thread.detachNewThread { pump.run() }
        Thread.detachNewThread { process.waitForExit() }
        return process
    }

    private init(pid: pid_t, stdinDescriptor: Int32, streamingInput: StreamingInput?) {
        processIdentifier = pid
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        state = Mutex(State(stdinDescriptor: stdinDescriptor))
        self.streamingInput = streamingInput
    }

    /// Queues `data` for standard input (`.stream` input only); it is written in order, after what was
    /// queued before, while the program reads. Throws once the input was closed, the program stopped
    /// reading, or it exited. Does not wait for the program to read: the caller bounds what it queues.
    public func writeInput(_ data: Data) throws(LocalProcessError) {
        guard let streamingInput else { throw LocalProcessError("standard input was not opened as a stream") }
        try streamingInput.enqueue(data)
    }

    /// Ends standard input (`.stream` input only) once everything queued is written.
    public func closeInput() {
        streamingInput?.close()
    }

    /// Sends `signal` unless the program has already exited (its pid is never signalled once reaped).
    public func send(_ signal: Int32) {
        state.withLock { state in
            if !state.exited { kill(processIdentifier, signal) }
        }
    }

    /// SIGTERM now, SIGKILL after `grace` if it is still running.
    public func terminate(grace: Duration = .seconds(2)) {
        send(SIGTERM)
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in send(SIGKILL) }
    }

    /// Waits for the end and returns everything written. Cancelling the calling task terminates the program.
    public func collect() async -> (termination: Termination, stdout: Data, stderr: Data) {
        var stdout = Data()
        var stderr = Data()
        var termination = Termination(exitCode: -1, signal: SIGKILL)
        await withTaskCancellationHandler {
            for await event in events {
                switch event {
                case .stdout(let data): stdout.append(data)
                case .stderr(let data): stderr.append(data)
                case .exited(let end): termination = end
                }
            }
        } onCancel: {
            terminate()
        }
        return (termination, stdout, stderr)
    }

    func yield(_ event: Event) {
        continuation.yield(event)
    }

    /// Whether output should still be read: true until the program has exited and `grace` has passed.
    func stillDraining(grace: Duration) -> Bool {
        state.withLock { state in
            guard let exitedAt = state.exitedAt else { return true }
            return ContinuousClock.now < exitedAt.advanced(by: grace)
        }
    }

    func outputFinished() {
        let done = state.withLock { state -> Termination? in
            state.outputDone = true
            return state.termination
        }
        if let done { finish(done) }
    }

    private func closeStdinNow() {
        state.withLock { state in
            if state.stdinDescriptor >= 0 {
                close(state.stdinDescriptor)
                state.stdinDescriptor = -1
            }
        }
    }

    private func waitForExit() {
        var info = siginfo_t()
        // WNOWAIT: learn that it exited while the pid still belongs to it, so `send` never hits a reused pid.
        while waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) == -1, errno == EINTR {}
        state.withLock { $0.exited = true }
        var status: Int32 = 0
        while waitpid(processIdentifier, &status, 0) == -1, errno == EINTR {}
        let signal = status & 0x7f
        let termination =
            signal == 0
            ? Termination(exitCode: (status >> 8) & 0xff, signal: nil)
            : Termination(exitCode: 128 + signal, signal: signal)
        let outputDone = state.withLock { state -> Bool in
            state.termination = termination
            state.exitedAt = ContinuousClock.now
            return state.outputDone
        }
        if outputDone { finish(termination) }
    }

    /// Runs once, after both the exit and the end of output: standard input closes only now.
    private func finish(_ termination: Termination) {
        closeStdinNow()
        streamingInput?.stop()
        continuation.yield(.exited(termination))
        continuation.finish()
    }

    /// `name` if it is a path, else the first executable `name` in `path` or the system directories.
    public static func executable(named name: String, path: String? = nil) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let searched = (path ?? ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        let directories = searched.map(String.init) + ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"]
        for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        return nil
    }
}

/// A local process could not be started.
public struct LocalProcessError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A connected pair of sockets, both close-on-exec from birth (no other child can inherit them).
private struct SocketPair {
    let parent: Int32
    let child: Int32

    /// Three pairs, or none (those already made are closed when a later one fails).
    static func three() throws -> [SocketPair] {
        var pairs: [SocketPair] = []
        do {
            for _ in 0..<3 { pairs.append(try SocketPair()) }
        } catch {
            for pair in pairs {
                close(pair.parent)
                close(pair.child)
            }
            throw error
        }
        return pairs
    }

    init() throws {
        var descriptors: [Int32] = [-1, -1]
        #if canImport(Glibc)
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
            let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &descriptors) == 0 else {
            throw LocalProcessError("socketpair failed: errno \(errno)")
        }
        #if canImport(Darwin)
            var on: Int32 = 1
            for descriptor in descriptors {
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            }
        #endif
        parent = descriptors[0]
        child = descriptors[1]
    }
}
