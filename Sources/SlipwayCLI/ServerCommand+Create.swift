import ArgumentParser
import Foundation
import SlipwayCore

extension ServerCommand {
    /// `slipway server create --name N --host H [--port 22] --user U (--private-key-file PATH | --password-stdin)`
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Add a server the control plane reaches over SSH.",
            discussion: """
                The credential is sent once and stored encrypted; it is never shown again. \
                Pass a password on standard input, never as an argument: \
                `cat pw.txt | slipway server create ... --password-stdin`.                 Then run `slipway server verify ID` to connect, pin its host key and read its facts.
                """,
            aliases: ["add"])

        @Option(help: "Its name.")
        var name: String

        @Option(help: "Its DNS name or IP address.")
        var host: String

        @Option(help: "The SSH port.")
        var port: Int = 22

        @Option(help: "The SSH user.")
        var user: String

        @Option(help: ArgumentHelp("A private key file for SSH (OpenSSH format).", valueName: "path"))
        var privateKeyFile: String?

        @Flag(help: "Read the SSH password from standard input.")
        var passwordStdin = false

        @Flag(help: "Let verification install Docker with the distribution's packages when it is missing.")
        var allowDockerInstall = false

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var host: String
            var port: Int
            var user: String
            var privateKey: String?
            var password: String?
            var allowDockerInstall: Bool
        }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            try checkArgument { try Validation.host(host, field: "--host") }
            try checkArgument { try Validation.port(port, field: "--port") }
            try checkArgument { try Validation.sshUser(user, field: "--user") }
            switch (privateKeyFile, passwordStdin) {
            case (nil, false):
                throw ValidationError("give a credential: --private-key-file PATH or --password-stdin")
            case (.some, true):
                throw ValidationError("give one credential: --private-key-file or --password-stdin, not both")
            case (let path?, false):
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw ValidationError("--private-key-file: cannot read \(path)")
                }
            case (nil, true):
                break
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            var body = Body(name: name, host: host, port: port, user: user, allowDockerInstall: allowDockerInstall)
            if let privateKeyFile {
                body.privateKey = try Self.readPrivateKey(at: privateKeyFile)
            } else {
                body.password = try Self.password(from: environment.readStandardInput())
            }
            try await session.create(APIClient.path("servers"), body: body, as: Server.self)
        }

        /// The key file's text, refusing the public half, which people pass by mistake.
        static func readPrivateKey(at path: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                throw CLIError(
                    code: "unreadable_key", message: "cannot read \(path) as text", field: "--private-key-file",
                    hint: "pass an OpenSSH private key file, like ~/.ssh/id_ed25519")
            }
            guard text.contains("PRIVATE KEY") else {
                let looksPublic = text.hasPrefix("ssh-") || text.hasPrefix("ecdsa-") || path.hasSuffix(".pub")
                throw CLIError(
                    code: "not_a_private_key", message: "\(path) is not a private key", field: "--private-key-file",
                    hint: looksPublic
                        ? "that is the public half: pass the file without .pub"
                        : "pass an OpenSSH private key file, like ~/.ssh/id_ed25519")
            }
            return text
        }

        /// Standard input without its final line break.
        static func password(from input: Data) throws -> String {
            var text = String(decoding: input, as: UTF8.self)
            if text.last == "\n" || text.last == "\r\n" { text.removeLast() }  // "\r\n" is one Character
            guard !text.isEmpty else {
                throw CLIError(
                    code: "empty_password", message: "--password-stdin read an empty password",
                    field: "--password-stdin",
                    hint: "pipe it in: `printf %s \"$PASSWORD\" | slipway server create ... --password-stdin`")
            }
            return text
        }
    }
}
