import Foundation

/// What a command run in a container with ``DockerClient/exec(_:command:environment:workingDirectory:user:timeout:)``
/// did: its exit code and the lines it wrote.
public struct ExecResult: Sendable, Equatable {
    public var exitCode: Int
    /// Every line in the order the engine delivered them, tagged stdout or stderr.
    public var output: [OutputLine]

    public init(exitCode: Int, output: [OutputLine]) {
        self.exitCode = exitCode
        self.output = output
    }

    /// The stdout lines, joined with newlines.
    public var stdout: String { text(of: .stdout) }
    /// The stderr lines, joined with newlines.
    public var stderr: String { text(of: .stderr) }

    private func text(of stream: OutputLine.Stream) -> String {
        output.filter { $0.stream == stream }.map(\.text).joined(separator: "\n")
    }
}

extension DockerClient {
    /// Runs `command` (an argv array, no shell) in one of Slipway's running containers, waits for it, and
    /// returns its exit code and output. After `timeout` it throws `timedOut`; the engine has no way to
    /// stop an exec, so the command may still run until the container stops.
    public func exec(
        _ container: String, command: [String], environment: [String: String] = [:],
        workingDirectory: String? = nil, user: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> ExecResult {
        guard !command.isEmpty else {
            throw DockerError(.invalidRequest, message: "empty command", operation: "exec \(container)")
        }
        let id = try await managedContainerId(container, operation: "exec in")
        let create = ExecCreateBody(
            command: command, environment: environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            workingDirectory: workingDirectory, user: user)
        struct Created: Decodable {
            let id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        let created: Created = try await json(try DockerRequest(.post, "/containers/\(id)/exec", json: create))
        let operation = "exec in \(container)"
        return try await withDockerDeadline(timeout, operation: operation) {
            let start = try DockerRequest(.post, "/exec/\(created.id)/start", json: ExecStartBody())
            let output = try await ContainerLogStream(body: try await stream(start), tty: false, operation: operation)
                .collect()
            return ExecResult(exitCode: try await execExitCode(created.id), output: output)
        }
    }

    /// The exit code of a finished exec; the engine may take a moment after the output ends to record it.
    private func execExitCode(_ exec: String) async throws -> Int {
        struct State: Decodable {
            let running: Bool
            let exitCode: Int?
            enum CodingKeys: String, CodingKey {
                case running = "Running"
                case exitCode = "ExitCode"
            }
        }
        while true {
            let state: State = try await json(DockerRequest(.get, "/exec/\(exec)/json"))
            if !state.running, let exitCode = state.exitCode {
                return exitCode
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

private struct ExecCreateBody: Encodable {
    var attachStdout = true
    var attachStderr = true
    var attachStdin = false
    var tty = false
    var command: [String]
    var environment: [String]
    var workingDirectory: String?
    var user: String?

    enum CodingKeys: String, CodingKey {
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
        case attachStdin = "AttachStdin"
        case tty = "Tty"
        case command = "Cmd"
        case environment = "Env"
        case workingDirectory = "WorkingDir"
        case user = "User"
    }
}

private struct ExecStartBody: Encodable {
    var detach = false
    var tty = false

    enum CodingKeys: String, CodingKey {
        case detach = "Detach"
        case tty = "Tty"
    }
}
