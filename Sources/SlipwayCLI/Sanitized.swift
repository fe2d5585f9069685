/// Text from the server (names, messages) made safe for a terminal: control characters,
/// which could move the cursor or recolour the screen, and bidirectional overrides, which
/// could reorder what is shown, become `?`. A record named with escape sequences cannot
/// forge output, and a newline in a name cannot add a row to a table.
enum Sanitized {
    static func line(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    switch scalar.properties.generalCategory {
                    case .control, .lineSeparator, .paragraphSeparator: return "?"
                    default: return isBidiControl(scalar) ? "?" : scalar
                    }
                }))
    }

    private static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
            || scalar.value == 0x200E || scalar.value == 0x200F || scalar.value == 0x061C
    }
}
