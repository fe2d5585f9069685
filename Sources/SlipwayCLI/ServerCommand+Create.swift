import ArgumentParser
import Foundation
import SlipwayCore

extension ServerCommand {
    /// `slipway server create --name N --host H [--port 22] --user U (--private-key-file PATH
    /// [--passphrase-file PATH | --passphrase-env VAR] | --password-stdin) [--docker-socket PATH]
    /// [--registry-port N] [--proxy-admin-port N] [--proxy-http-port N]`
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Add a server the control plane reaches over SSH.",
            discussion: """
                The credential is sent once and stored encrypted; it is never shown again. \
                Pass a password on standard input, never as an argument: \
                `cat pw.txt | slipway server create ... --password-stdin`. \
                A private key's passphrase comes from a file or an environment variable, never from the command line. \
                Then run `slipway server verify ID` to connect, pin its host key and read its facts.
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

        @Option(help: ArgumentHelp("A file holding the private key's passphrase (its first line).", valueName: "path"))
        var passphraseFile: String?

        @Option(help: ArgumentHelp("An environment variable holding the private key's passphrase.", valueName: "var"))
        var passphraseEnv: String?

        @Flag(help: "Read the SSH password from standard input.")
        var passwordStdin = false

        @Flag(help: "Let verification install Docker with the distribution's packages when it is missing.")
        var allowDockerInstall = false

        @Option(help: ArgumentHelp("The Docker engine's socket on the server.", valueName: "path"))
        var dockerSocket: String = Server.defaultDockerSocketPath

        @Option(help: ArgumentHelp("The loopback port of the server's Docker registry.", valueName: "port"))
        var registryPort: Int = Server.defaultRegistryPort

        @Option(help: ArgumentHelp("The loopback port of the server's Caddy admin API.", valueName: "port"))
        var proxyAdminPort: Int = Server.defaultProxyAdminPort

        @Option(
            name: .customLong("proxy-http-port"),
            help: ArgumentHelp("The port Caddy serves the instances on (HTTP, on every address).", valueName: "port"))
        var proxyHTTPPort: Int = Server.defaultProxyHTTPPort

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var host: String
            var port: Int
            var user: String
            var privateKey: String?
            var password: String?
            var passphrase: String?
            var allowDockerInstall: Bool
            var dockerSocketPath: String
            var registryPort: Int
            var proxyAdminPort: Int
            var proxyHTTPPort: Int
        }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            try checkArgument { try Validation.host(host, field: "--host") }
            try checkArgument { try Validation.port(port, field: "--port") }
            try checkArgument { try Validation.sshUser(user, field: "--user") }
            try checkArgument { try Validation.dockerSocketPath(dockerSocket, field: "--docker-socket") }
            try checkArgument { try Validation.port(registryPort, field: "--registry-port") }
            try checkArgument { try Validation.port(proxyAdminPort, field: "--proxy-admin-port") }
            try checkArgument { try Validation.port(proxyHTTPPort, field: "--proxy-http-port") }
            guard proxyHTTPPort != proxyAdminPort, proxyHTTPPort != registryPort else {
                throw ValidationError("--proxy-http-port must differ from --registry-port and --proxy-admin-port")
            }
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
            if passphraseFile != nil || passphraseEnv != nil {
                guard privateKeyFile != nil else {
                    throw ValidationError("--passphrase-file and --passphrase-env go with --private-key-file")
                }
                guard passphraseFile == nil || passphraseEnv == nil else {
                    throw ValidationError("give one passphrase: --passphrase-file or --passphrase-env, not both")
                }
            }
            if let path = passphraseFile, !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("--passphrase-file: cannot read \(path)")
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.create(APIClient.path("servers"), body: try body(in: environment), as: Server.self)
        }

        /// What is sent: the credential read from its file, standard input or the environment.
        func body(in environment: CLIEnvironment) throws -> Body {
            var body = Body(
                name: name, host: host, port: port, user: user, allowDockerInstall: allowDockerInstall,
                dockerSocketPath: dockerSocket, registryPort: registryPort, proxyAdminPort: proxyAdminPort,
                proxyHTTPPort: proxyHTTPPort)
            if let privateKeyFile {
                body.privateKey = try Self.readPrivateKey(at: privateKeyFile)
                if let passphraseFile {
                    body.passphrase = try Self.passphrase(
                        FileManager.default.contents(atPath: passphraseFile), from: "--passphrase-file")
                } else if let passphraseEnv {
                    body.passphrase = try Self.passphrase(
                        environment.variables[passphraseEnv].map { Data($0.utf8) }, from: "--passphrase-env")
                }
            } else {
                body.password = try Self.password(from: environment.readStandardInput())
            }
            return body
        }

        /// The passphrase's first line, without its line break; refuses nothing to read or an empty line.
        static func passphrase(_ data: Data?, from option: String) throws -> String {
            guard let data, let text = String(data: data, encoding: .utf8) else {
                throw CLIError(
                    code: "unreadable_passphrase", message: "\(option) gave nothing readable as text", field: option,
                    hint: option == "--passphrase-env"
                        ? "export the variable first, and name it without '$'" : "check the file and its permissions")
            }
            let line = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(String.init)
            guard let line, !line.isEmpty else {
                throw CLIError(
                    code: "empty_passphrase", message: "\(option) gave an empty passphrase", field: option,
                    hint: "a key without a passphrase needs neither --passphrase-file nor --passphrase-env")
            }
            return line
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
