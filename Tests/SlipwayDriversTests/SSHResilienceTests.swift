import Foundation
import SlipwayTesting
import Testing

@testable import SlipwayDrivers

#if canImport(Glibc)
    import Glibc
#endif

@Suite("SSH connection: several servers, a lost master, health, socket forwarding", .tags(.sshd))
struct SSHResilienceTests {
    @Test("two servers driven at once, each through its own connection")
    func twoServers() async throws {
        let first = try await SSHTestServer.shared()
        let second = try await SSHTestServer.start(label: "second")
        defer { second.stop() }
        let targets = [first, second].map { $0.target(.privateKey(pem: $0.credentials.ed25519, passphrase: nil)) }
        let connections = try targets.map { try SSHConnection(target: $0) }
        let ports = try await withThrowingTaskGroup(of: [String].self) { group in
            for connection in connections {
                for _ in 0..<5 {
                    group.addTask {
                        // sshd sets SSH_CONNECTION to "client-ip client-port server-ip server-port".
                        let result = try await connection.run(
                            ["sh", "-c", "echo $SSH_CONNECTION"], deadline: .seconds(30))
                        return [
                            String(connection.target.port),
                            result.stdoutText.split(separator: " ").last.map {
                                $0.trimmingCharacters(in: .whitespacesAndNewlines)
                            } ?? "",
                        ]
                    }
                }
            }
            var pairs: [[String]] = []
            for try await pair in group { pairs.append(pair) }
            return pairs
        }
        for connection in connections { await connection.close() }
        #expect(ports.count == 10)
        #expect(ports.allSatisfy { $0[0] == $0[1] })
        #expect(Set(ports.map { $0[0] }) == [String(first.port), String(second.port)])
    }

    @Test("a killed master is re-established on the next command")
    func killedMaster() async throws {
        let server = try await SSHTestServer.shared()
        let target = server.target(.privateKey(pem: server.credentials.rsa, passphrase: nil))
        try await withConnection(target) { connection in
            #expect(try await connection.run(["true"], deadline: .seconds(30)).exitCode == 0)
            let old = try #require(await connection.masterProcessID)
            #expect(kill(old, SIGKILL) == 0)
            while kill(old, 0) == 0 { try await Task.sleep(for: .milliseconds(20)) }

            let result = try await connection.run(["echo", "back"], deadline: .seconds(30))
            #expect(result.stdoutText == "back\n")
            let new = try #require(await connection.masterProcessID)
            #expect(new != old)
        }
    }

    @Test("a master whose socket vanished is replaced, the command runs exactly once, the old master ends")
    func vanishedControlSocket() async throws {
        let server = try await SSHTestServer.shared()
        let target = server.target(.password(server.credentials.password))
        try await withConnection(target) { connection in
            try await connection.connect()
            let old = try #require(await connection.masterProcessID)
            // The master lives on (its pid looks fine) but its socket is gone: a client that cannot reach it must
            // not open a connection of its own, and the command must run once, on a new master.
            let directory = connection.directory.path
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.count == 40 {
                try FileManager.default.removeItem(atPath: "\(directory)/\(name)")
            }
            let marker = "/tmp/slipway-ssh-once-\(UUID().uuidString)"
            let result = try await connection.run(
                ["sh", "-c", "echo x >> \"$1\"; cat \"$1\"", "sh", marker], deadline: .seconds(30))
            #expect(result.stdoutText == "x\n")
            _ = try await connection.run(["rm", "-f", marker], deadline: .seconds(30))
            let new = try #require(await connection.masterProcessID)
            #expect(new != old)
            let until = ContinuousClock.now.advanced(by: .seconds(5))
            while kill(old, 0) == 0, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(20)) }
            #expect(kill(old, 0) != 0)  // the orphaned master was ended
        }
    }

    @Test("check() passes on a healthy connection, re-establishes a dead one, and close() ends everything")
    func health() async throws {
        let server = try await SSHTestServer.shared()
        let connection = try SSHConnection(
            target: server.target(.privateKey(pem: server.credentials.ecdsa, passphrase: nil)))
        try await connection.check()
        let first = try #require(await connection.masterProcessID)
        kill(first, SIGKILL)
        while kill(first, 0) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        try await connection.check()
        let second = try #require(await connection.masterProcessID)
        #expect(second != first)

        await connection.close()
        #expect(kill(second, 0) != 0)  // the master is gone
        await #expect(throws: SSHError.closed) { try await connection.run(["true"], deadline: .seconds(5)) }
    }

    @Test("check() finds a wedged master (alive, answering nothing), kills it, and the next command gets a new one")
    func wedgedMaster() async throws {
        let server = try await SSHTestServer.shared()
        let target = server.target(.privateKey(pem: server.credentials.ed25519, passphrase: nil))
        try await withConnection(target) { connection in
            try await connection.connect()
            let wedged = try #require(await connection.masterProcessID)
            #expect(kill(wedged, SIGSTOP) == 0)  // the process and its socket stay; nothing answers
            let started = ContinuousClock.now
            let error = await #expect(throws: SSHError.self) { try await connection.check(deadline: .seconds(10)) }
            guard case .unreachable = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                return
            }
            #expect(ContinuousClock.now - started < .seconds(12))
            let result = try await connection.run(["echo", "fresh"], deadline: .seconds(30))
            #expect(result.stdoutText == "fresh\n")
            #expect(try #require(await connection.masterProcessID) != wedged)
        }
    }

    @Test("forwardUnixSocket reaches a unix socket server on the remote side")
    func forwardUnixSocket() async throws {
        let server = try await SSHTestServer.shared()
        let target = server.target(.privateKey(pem: server.credentials.ed25519, passphrase: nil))
        let remotePath = "/tmp/slipway-forward-\(UUID().uuidString.prefix(8)).sock"
        // A one-shot echo server owned by the test user, started over the same connection.
        let listener = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.bind(sys.argv[1])
            s.listen(1)
            print("listening", flush=True)
            c, _ = s.accept()
            data = b""
            while not data.endswith(b"\\n"):
                chunk = c.recv(1024)
                if not chunk: break
                data += chunk
            c.sendall(b"pong:" + data)
            c.close()
            os.unlink(sys.argv[1])
            """
        let reply = try await withConnection(target) { connection in
            try await withThrowingTaskGroup(of: String?.self) { group in
                let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
                group.addTask {
                    _ = try await connection.stream(
                        ["python3", "-c", listener, remotePath], deadline: .seconds(60)
                    ) { line in if line.text == "listening" { readyContinuation.yield() } }
                    return nil
                }
                for await _ in ready { break }
                let local = try await connection.forwardUnixSocket(remotePath: remotePath)
                #expect(try await connection.forwardUnixSocket(remotePath: remotePath) == local)
                let answer = try UnixSocketClient.exchange(path: local, send: "ping\n")
                var result: String?
                for try await value in group where value != nil { result = value }
                return result ?? answer
            }
        }
        #expect(reply == "pong:ping\n")
    }
}

/// A blocking unix socket client, enough for one request and its reply.
enum UnixSocketClient {
    struct Failure: Error { let message: String }

    static func exchange(path: String, send text: String) throws -> String {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(message: "socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Failure(message: "path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw Failure(message: "connect \(path): errno \(errno)") }
        let outgoing = Array(text.utf8)
        guard write(descriptor, outgoing, outgoing.count) == outgoing.count else {
            throw Failure(message: "write: errno \(errno)")
        }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
