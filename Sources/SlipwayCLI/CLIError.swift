import ArgumentParser

/// An error the CLI reports to a person: what went wrong, the field at fault, what to do
/// next, and the exit code a script sees.
public struct CLIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status when the server answered; nil when it was not reached or never asked.
    public var status: Int?
    public var code: String
    public var message: String
    public var field: String?
    public var hint: String?
    public var exitCode: ExitCode

    public init(
        status: Int? = nil, code: String, message: String, field: String? = nil, hint: String? = nil,
        exitCode: ExitCode = CLIExitCode.failure
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.hint = hint
        self.exitCode = exitCode
    }

    /// The lines written to standard error: `error: <message> (field: <field>)`, then the hint.
    public var lines: [String] {
        var first = "error: " + Sanitized.line(message)
        if let field { first += " (field: \(Sanitized.line(field)))" }
        return [first] + (hint.map { ["hint: " + $0] } ?? [])
    }

    public var description: String { lines.joined(separator: "\n") }
}
