import ArgumentParser
import Foundation
import SlipwayCore

extension InstanceCommand.Secret {
    /// `slipway instance secret set ID NAME [--value-file PATH]`, the value on standard input by default.
    struct SetValue: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set a secret of an instance from standard input or a file, never from the command line.",
            discussion: """
                `printf %s "$DB_TOKEN" | slipway instance secret set ins_... API_TOKEN` or \
                `slipway instance secret set ins_... API_TOKEN --value-file token.txt`. \
                One final line break is dropped. It takes effect at the next `slipway instance restart`.
                """)

        /// What the API takes: 64 KiB, without NUL.
        static let maximumBytes = 65536

        @Argument(help: "The instance's id (ins_...).")
        var id: String

        @Argument(help: "The secret's name, an environment variable name like API_TOKEN.")
        var name: String

        @Option(help: ArgumentHelp("Read the value from this file instead of standard input.", valueName: "path"))
        var valueFile: String?

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try checkArgument { try Validation.environmentName(name, field: "NAME") }
            if let valueFile, !FileManager.default.isReadableFile(atPath: valueFile) {
                throw ValidationError("--value-file: cannot read \(valueFile)")
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let value: String
            if let valueFile {
                value = try Self.value(FileManager.default.contents(atPath: valueFile) ?? Data(), from: "--value-file")
            } else {
                if environment.stdinIsTerminal { session.note("Type the value, then Ctrl-D:") }
                value = try Self.value(environment.readStandardInput(), from: "standard input")
            }
            struct Body: Encodable { var value: String }
            do {
                try await session.client.put(
                    APIClient.path("instances", id, "secrets", name), body: Body(value: value))
            } catch var error as CLIError where error.field == "value" {
                error.hint = "pass the value on standard input or with --value-file"
                throw error
            }
            if session.json {
                struct Done: Encodable {
                    var instanceId: String
                    var name: String
                    var set = true
                }
                return session.printJSON(try JSONCoding.encoder().encode(Done(instanceId: id, name: name)))
            }
            session.print(
                "Set secret \(name) of instance \(id); it takes effect at the next `slipway instance restart \(id)`.")
        }

        /// The text read, without one final line break; refuses nothing, NUL, too much, or what is not UTF-8.
        static func value(_ data: Data, from source: String) throws -> String {
            guard var text = String(data: data, encoding: .utf8) else {
                throw CLIError(
                    code: "unreadable_secret", message: "the value from \(source) is not UTF-8 text",
                    hint: "a binary secret can go in base64: `base64 -w0 FILE | slipway instance secret set ...`")
            }
            if text.last == "\n" || text.last == "\r\n" { text.removeLast() }  // "\r\n" is one Character
            guard !text.isEmpty else {
                throw CLIError(
                    code: "empty_secret", message: "read an empty value from \(source)",
                    hint:
                        "pipe it in: `printf %s \"$VALUE\" | slipway instance secret set ID NAME`, or pass --value-file"
                )
            }
            guard data.count <= maximumBytes, !text.unicodeScalars.contains("\0") else {
                throw CLIError(
                    code: "invalid_secret", message: "the value from \(source) must be at most 64 KiB, without NUL",
                    hint: "keep larger files out of secrets; a binary secret can go in base64")
            }
            return text
        }
    }
}
