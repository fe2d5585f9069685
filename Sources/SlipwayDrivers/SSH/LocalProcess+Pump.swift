import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// posix_spawn with the three standard descriptors replaced, the signal mask emptied and every signal
/// at its default (so a host that ignores SIGPIPE does not pass that on).
extension LocalProcess {
    enum Spawn {
        static func run(path: String, argv: [String], environment: [String: String], descriptors: [Int32]) throws
            -> pid_t
        {
            #if canImport(Glibc)
                var actions = posix_spawn_file_actions_t()
                var attributes = posix_spawnattr_t()
            #else
                var actions: posix_spawn_file_actions_t?
                var attributes: posix_spawnattr_t?
            #endif
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            for (target, descriptor) in descriptors.enumerated() {
                posix_spawn_file_actions_adddup2(&actions, descriptor, Int32(target))
            }
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            let arguments = [path] + argv.dropFirst()
            let cArguments = arguments.map { strdup($0) } + [nil]
            let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                cArguments.forEach { free($0) }
                cEnvironment.forEach { free($0) }
            }
            var pid: pid_t = 0
            let result = posix_spawn(&pid, path, &actions, &attributes, cArguments, cEnvironment)
            guard result == 0 else {
                throw LocalProcessError("cannot start \(path): \(String(cString: strerror(result)))")
            }
            return pid
        }
    }

    /// Moves bytes for one child on its own thread: writes its standard input, reads its output until end of
    /// file (or until `drainGrace` after it exited), and hands the output to the process as events.
}

extension LocalProcess {
    final class OutputPump: Sendable {
        private let process: LocalProcess
        private let stdout: Int32
        private let stderr: Int32
        private let stdin: Int32
        private let pending: Data
        private let thenClose: Bool
        private let drainGrace: Duration

        init(
            process: LocalProcess, stdout: Int32, stderr: Int32, stdin: Int32, pending: Data, thenClose: Bool,
            drainGrace: Duration
        ) {
            self.process = process
            self.stdout = stdout
            self.stderr = stderr
            self.stdin = stdin
            self.pending = pending
            self.thenClose = thenClose
            self.drainGrace = drainGrace
        }

        func run() {
            var open = [stdout: true, stderr: true]
            var written = 0
            var writing = stdin >= 0
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while open.values.contains(true) {
                var polled = open.filter(\.value).keys.sorted().map {
                    pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
                }
                if writing { polled.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
                let ready = poll(&polled, nfds_t(polled.count), 100)
                if ready < 0, errno != EINTR { break }
                for entry in polled where entry.revents != 0 {
                    if entry.fd == stdin {
                        writing = write(from: &written)
                    } else if !read(entry.fd, into: &buffer) {
                        close(entry.fd)
                        open[entry.fd] = false
                    }
                }
                if !process.stillDraining(grace: drainGrace) { break }
            }
            for (descriptor, isOpen) in open where isOpen { close(descriptor) }
            process.outputFinished()
        }

        /// Reads what is there; false at end of file or on an error.
        private func read(_ descriptor: Int32, into buffer: inout [UInt8]) -> Bool {
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    let data = Data(buffer[0..<count])
                    process.yield(descriptor == stdout ? .stdout(data) : .stderr(data))
                    continue
                }
                if count == 0 { return false }
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
        }

        /// Writes what the socket takes; false once everything is written or the reader is gone.
        private func write(from written: inout Int) -> Bool {
            switch sendAvailable(stdin, pending, written: &written) {
            case .socketFull:
                return true
            case .failed:
                return false
            case .done:
                if thenClose { shutdown(stdin, Int32(SHUT_WR)) }
                return false
            }
        }
    }
}

/// How far `sendAvailable` got.
enum SendProgress {
    /// Everything is sent.
    case done
    /// The socket takes no more for now (EAGAIN): wait until it is writable.
    case socketFull
    /// The reader is gone (or another error).
    case failed
}

/// Sends `data` from `written` on, on a non-blocking socket, as far as the socket takes it. A reader
/// that is gone gives EPIPE, never SIGPIPE (MSG_NOSIGNAL; Darwin sets SO_NOSIGPIPE on the socket instead).
func sendAvailable(_ socket: Int32, _ data: Data, written: inout Int) -> SendProgress {
    #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)
    #else
        let flags: Int32 = 0
    #endif
    while written < data.count {
        let count = data.withUnsafeBytes { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            return send(socket, base + written, bytes.count - written, flags)
        }
        if count > 0 {
            written += count
        } else if count < 0, errno == EINTR {
            continue
        } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
            return .socketFull
        } else {
            return .failed
        }
    }
    return .done
}
