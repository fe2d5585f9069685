import ArgumentParser
import Foundation
import SlipwayCore

extension BackupCommand {
    /// `slipway backup destination add --name N (--local PATH | --sftp USER@HOST[:PORT]:/PATH --key-file F
    /// [--passphrase-file F] [--no-check])`
    struct DestinationAdd: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a backup destination: a directory on the control plane, or on an SFTP host.",
            discussion: """
                --local PATH: the control plane creates the directory (0700) when it is missing and checks it can \
                write there now. --sftp backup@vault.example.com:/srv/backups (or HOST:2222:/srv/backups for \
                another port) with --key-file: the private key is sent once and stored encrypted; its passphrase \
                comes from a file, never from the command line. Right after adding, the SFTP destination is \
                checked (`slipway backup destination check`): the host's key is pinned, and a file is written, read \
                back and removed there. When that fails the destination stays, so the key need not be sent again: \
                fix what the error names, then run the check. --no-check skips it, for a host not reachable yet.
                """,
            aliases: ["create"])

        @Option(help: "Its name.")
        var name: String

        @Option(help: ArgumentHelp("A directory on the control plane's machine.", valueName: "path"))
        var local: String?

        @Option(help: ArgumentHelp("A directory on an SFTP host.", valueName: "user@host[:port]:/path"))
        var sftp: String?

        @Option(help: ArgumentHelp("The private key the SFTP host accepts (OpenSSH format).", valueName: "path"))
        var keyFile: String?

        @Option(help: ArgumentHelp("A file holding the private key's passphrase (its first line).", valueName: "path"))
        var passphraseFile: String?

        @Flag(help: "Add an SFTP destination without connecting to it now (check it later).")
        var noCheck = false

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var kind: BackupDestination.Kind
            var path: String
            var host: String?
            var port: Int?
            var username: String?
            var privateKey: String?
            var passphrase: String?
        }

        /// `user@host[:port]:/path`, with an IPv6 address in brackets (`user@[::1]:/path`).
        struct SFTPTarget: Equatable {
            var username: String
            var host: String
            var port: Int
            var path: String

            init(_ text: String) throws {
                let usage = "--sftp must look like user@host:/path or user@host:port:/path (got '\(text)')"
                guard let at = text.firstIndex(of: "@"), let pathStart = text.range(of: ":/", range: at..<text.endIndex)
                else { throw ValidationError(usage) }
                username = String(text[..<at])
                path = String(text[text.index(after: pathStart.lowerBound)...])
                var address = text[text.index(after: at)..<pathStart.lowerBound]
                var portText: Substring?
                if address.hasPrefix("[") {
                    guard let close = address.firstIndex(of: "]") else { throw ValidationError(usage) }
                    let rest = address[address.index(after: close)...]
                    guard rest.isEmpty || rest.hasPrefix(":") else { throw ValidationError(usage) }
                    portText = rest.isEmpty ? nil : rest.dropFirst()
                    address = address[address.index(after: address.startIndex)..<close]
                } else if let colon = address.lastIndex(of: ":") {
                    portText = address[address.index(after: colon)...]
                    address = address[..<colon]
                }
                host = String(address)
                if let portText {
                    guard let value = Int(portText) else { throw ValidationError(usage) }
                    port = value
                } else {
                    port = 22
                }
                try checkArgument { try Validation.sshUser(username, field: "--sftp user") }
                try checkArgument { try Validation.host(host, field: "--sftp host") }
                try checkArgument { try Validation.port(port, field: "--sftp port") }
            }
        }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            switch (local, sftp) {
            case (nil, nil):
                throw ValidationError("give a directory: --local PATH or --sftp USER@HOST:/PATH")
            case (.some, .some):
                throw ValidationError("give one directory: --local or --sftp, not both")
            case (let path?, nil):
                guard path.hasPrefix("/") else { throw ValidationError("--local must be an absolute path") }
                guard keyFile == nil, passphraseFile == nil else {
                    throw ValidationError("--key-file and --passphrase-file go with --sftp")
                }
                guard !noCheck else {
                    throw ValidationError("--no-check goes with --sftp: a local directory is always checked when added")
                }
            case (nil, let target?):
                _ = try SFTPTarget(target)
                guard let keyFile else { throw ValidationError("--sftp needs --key-file: the key the host accepts") }
                guard FileManager.default.isReadableFile(atPath: keyFile) else {
                    throw ValidationError("--key-file: cannot read \(keyFile)")
                }
            }
            if let path = passphraseFile, !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("--passphrase-file: cannot read \(path)")
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let created = try await BackupCommand.explaining(environment: nil) {
                try await session.client.post(
                    APIClient.path("backup-destinations"), body: try body(), as: BackupDestination.self)
            }
            guard sftp != nil, !noCheck else { return show(created, in: session) }
            let checked: APIClient.Reply<BackupDestination>
            do {
                checked = try await DestinationCheck.check(session, id: created.value.id)
            } catch let error as CLIError {
                // The destination stays, with its key: the person fixes the host and checks again.
                show(created, in: session)
                var failure = DestinationCheck.failed(error, id: created.value.id)
                if failure.hint == nil {
                    failure.hint =
                        "the destination was added; check it with `slipway backup destination check "
                        + "\(created.value.id)`"
                }
                throw failure
            }
            show(checked, in: session)
            if !session.json { session.print(DestinationCheck.passed(checked.value)) }
        }

        func show(_ reply: APIClient.Reply<BackupDestination>, in session: Session) {
            if session.json {
                session.printJSON(reply.body)
            } else {
                session.print(reply.value.details.render())
            }
        }

        /// What is sent: the key and passphrase read from their files.
        func body() throws -> Body {
            if let local { return Body(name: name, kind: .local, path: local) }
            let target = try SFTPTarget(sftp ?? "")
            var body = Body(
                name: name, kind: .sftp, path: target.path, host: target.host, port: target.port,
                username: target.username)
            do {
                body.privateKey = try ServerCommand.Create.readPrivateKey(at: keyFile ?? "")
            } catch var error as CLIError {
                error.field = "--key-file"
                throw error
            }
            if let passphraseFile {
                body.passphrase = try ServerCommand.Create.passphrase(
                    FileManager.default.contents(atPath: passphraseFile), from: "--passphrase-file")
            }
            return body
        }
    }
}
