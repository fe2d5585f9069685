import Foundation
import SlipwayCore
import SlipwayDrivers

/// Makes sure Docker runs on a host: asks the engine for its version through the Engine API on the
/// server's socket, or installs it with the distribution's own packages when the user allowed it
/// (fixed argv only).
struct DockerSetup {
    let host: any RemoteHost
    let socketPath: String
    let deadline: Duration

    /// The install commands for a distribution (`ID` and `ID_LIKE` of /etc/os-release); nil when unknown.
    static func installCommands(id: String, idLike: String, asRoot: Bool) -> [[String]]? {
        let family = ([id] + idLike.split(separator: " ").map(String.init))
        let sudo = asRoot ? [] : ["sudo", "-n"]
        if family.contains(where: { $0 == "debian" || $0 == "ubuntu" }) {
            return [
                sudo + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update", "-q"],
                sudo + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "docker.io"],
                sudo + ["systemctl", "enable", "--now", "docker"],
            ]
        }
        if family.contains(where: { ["fedora", "rhel", "centos"].contains($0) }) {
            return [sudo + ["dnf", "install", "-y", "docker"], sudo + ["systemctl", "enable", "--now", "docker"]]
        }
        return nil
    }

    func ensure(facts: ServerFacts, allowInstall: Bool) async throws -> (ServerFacts, String) {
        var facts = facts
        let why: String
        switch await version() {
        case .success(let version):
            facts.dockerVersion = version
            facts.dockerRunning = true
            return (facts, "Docker \(version) is running (Engine API on \(socketPath))")
        case .failure(let error):
            why = error.message
        }
        facts.dockerRunning = false
        guard allowInstall else {
            throw ConnectionFailure.refused(
                "Docker is not running on this server (no answer on \(socketPath): \(why)): install it and make "
                    + "sure the SSH user may use its socket (the docker group), or let Slipway install it "
                    + "(allowDockerInstall: true), then verify again")
        }
        let osRelease = try await host.run(["cat", "/etc/os-release"], deadline: deadline).stdoutText
        let id = FactsParser.osReleaseValue("ID", in: osRelease) ?? ""
        let idLike = FactsParser.osReleaseValue("ID_LIKE", in: osRelease) ?? ""
        let whoami = try await host.run(["id", "-u"], deadline: deadline).stdoutText.trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard let commands = Self.installCommands(id: id, idLike: idLike, asRoot: whoami == "0") else {
            throw ConnectionFailure.refused(
                "Slipway does not know how to install Docker on '\(id)': install it by hand, then verify again")
        }
        var log: [String] = []
        for command in commands {
            let output = try await host.run(command, deadline: .seconds(600))
            log.append(
                "$ \(command.joined(separator: " "))\n\(output.stdoutText.suffix(2000))\(output.stderrText.suffix(2000))"
            )
            guard output.succeeded else {
                throw ConnectionFailure.refused(
                    "installing Docker failed at '\(command.joined(separator: " "))': \(output.stderrText.suffix(500))")
            }
        }
        guard case .success(let version) = await version() else {
            throw ConnectionFailure.refused(
                "Docker was installed but does not answer on \(socketPath): check `systemctl status docker` "
                    + "on the server, and that the SSH user is in the docker group")
        }
        facts.dockerVersion = version
        facts.dockerRunning = true
        return (facts, log.joined(separator: "\n") + "\nDocker \(version) is running")
    }

    private func version() async -> Result<String, DockerError> {
        do {
            return .success(try await host.docker(socketPath: socketPath).version().version)
        } catch let error as DockerError {
            return .failure(error)
        } catch {
            return .failure(DockerError(.unreachable, message: "\(error)", operation: "GET /version"))
        }
    }
}
