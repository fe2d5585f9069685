import ArgumentParser
import Foundation
import SlipwayCore

extension ServerCommand {
    /// `slipway server verify ID`: queue a verification and watch its steps until it ends.
    struct Verify: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect to a server, pin its host key, read its facts and check Docker; watch each step.")

        @Argument(help: "The server's id (srv_...).")
        var id: String

        @Flag(help: "Queue the verification and return at once.")
        var noWait = false

        @Option(help: "How long to watch, in seconds.")
        var timeout: Int = 600

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let queued = try await session.client.post(
                APIClient.path("servers", id, "verify"), body: [String: String](), as: Job.self)
            if noWait {
                if session.json { return session.printJSON(queued.body) }
                return session.print("queued verification \(queued.value.id)")
            }
            var shown: [ProvisioningStep.Name: Step.Status] = [:]
            let deadline = ContinuousClock.now + .seconds(timeout)
            while ContinuousClock.now < deadline {
                let server = try await session.client.get(APIClient.path("servers", id), as: Server.self)
                if !session.json {
                    for step in server.value.provisioningSteps
                    where shown[step.name] != step.status && step.status != .pending {
                        shown[step.name] = step.status
                        let detail =
                            step.status == .running
                            ? "" : ": " + (step.output.split(separator: "\n").last.map(String.init) ?? "")
                        session.print("\(step.name.rawValue) \(step.status.rawValue)\(detail)")
                    }
                }
                if server.value.status != .provisioning {
                    if session.json {
                        session.printJSON(server.body)
                    } else {
                        session.print(
                            "server \(server.value.name) is \(server.value.status.rawValue)"
                                + (server.value.statusReason.map { ": \($0)" } ?? ""))
                    }
                    guard server.value.status == .active else { throw ExitCode(1) }
                    return
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            throw CLIError(
                code: "timeout", message: "verification still running after \(timeout) s", field: nil,
                hint: "watch it with `slipway server show \(id)`")
        }
    }

    /// `slipway server trust-host-key ID --fingerprint SHA256:...`: accept a changed host key.
    struct TrustHostKey: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "trust-host-key",
            abstract: "Pin the host key a failed verification reported, after checking it on the server.",
            discussion: "Compare with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the server itself first.")

        @Argument(help: "The server's id (srv_...).")
        var id: String

        @Option(help: "The new fingerprint, as the verification error shows it (SHA256:...).")
        var fingerprint: String

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard fingerprint.hasPrefix("SHA256:") else {
                throw ValidationError(
                    "--fingerprint must be a SHA256 fingerprint like SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
                )
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            struct Body: Encodable { var fingerprint: String }
            try await session.create(
                APIClient.path("servers", id, "trust-host-key"), body: Body(fingerprint: fingerprint), as: Server.self)
        }
    }
}
