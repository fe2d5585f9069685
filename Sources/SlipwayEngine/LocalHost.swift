import Foundation
import SlipwayCore
import SlipwayDrivers

/// The control plane's own machine, registered as the server `local`: commands run as local
/// processes from argv arrays, no shell and no SSH.
public struct LocalHost: RemoteHost, ServerConnector {
    public init() {}

    public func connect(to server: Server, credential: String?) async throws -> any RemoteHost { self }

    public var hostKeyFingerprint: String? { nil }

    public func close() async {}

    public func run(_ argv: [String], deadline: Duration) async throws -> CommandResult {
        guard let executable = argv.first else { throw ConnectionFailure.refused("empty command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + argv.dropFirst()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs, so a chatty command cannot fill one and stall.
        async let out = Task.detached { stdout.fileHandleForReading.readDataToEndOfFile() }.value
        async let err = Task.detached { stderr.fileHandleForReading.readDataToEndOfFile() }.value
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                while process.isRunning {
                    try? await Task.sleep(for: .milliseconds(10))
                    if Task.isCancelled { return true }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first && !process.isRunning
        }
        if !finished {
            process.terminate()
        }
        let output = CommandResult(
            exitCode: finished ? process.terminationStatus : -1, stdout: await out, stderr: await err)
        if !finished {
            throw ConnectionFailure.unreachable("\(executable) did not finish within \(deadline)")
        }
        return output
    }
}
