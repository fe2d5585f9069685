import ArgumentParser
import SlipwayCore

/// Runs one of SlipwayCore's `Validation` checks (given the option's name as its field) in
/// `validate()`, so bad input is reported as a usage error before anything is sent.
func checkArgument(_ check: () throws -> Void) throws {
    do {
        try check()
    } catch let error as SlipwayError {
        throw ValidationError(error.field.map { "\($0) \(error.message)" } ?? error.message)
    }
}

/// `delete` is irreversible: it runs only with `--yes`.
func requireConfirmation(_ yes: Bool, _ what: String) throws {
    guard yes else {
        throw ValidationError("\(what) cannot be undone: add --yes to confirm")
    }
}
