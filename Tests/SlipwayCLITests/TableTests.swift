import Testing

@testable import SlipwayCLI

@Suite struct TableTests {
    @Test func columnsLineUpUnderTheirHeaders() {
        let table = Table(
            headers: ["ID", "NAME", "KIND"],
            rows: [["prj_1", "Shop", "odoo"], ["prj_22222", "A much longer name", "generic"]])
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "ID         NAME                KIND",
                "prj_1      Shop                odoo",
                "prj_22222  A much longer name  generic",
            ])
        // Every column starts at the same offset on every line.
        let nameOffsets = lines.map { $0.distance(from: $0.startIndex, to: $0.firstIndex(of: "N") ?? $0.startIndex) }
        #expect(nameOffsets.first == 11)
    }

    @Test func noTrailingSpacesEvenWhenTheLastCellIsEmpty() {
        let rendered = Table(headers: ["ID", "NOTE"], rows: [["a", ""], ["bbbb", "x"]]).render()
        for line in rendered.split(separator: "\n") {
            #expect(line.last != " ")
        }
        #expect(rendered.split(separator: "\n").count == 3)
    }

    @Test func shortRowsAreFilled() {
        let rendered = Table(headers: ["A", "B", "C"], rows: [["1"]]).render()
        #expect(rendered == "A  B  C\n1")
    }

    @Test func terminalEscapesInServerDataCannotReachTheScreen() {
        let hostile = "evil\u{1B}[2J\u{1B}]0;pwned\u{07}\nsecond line\u{202E}desrever"
        let rendered = Table(headers: ["NAME"], rows: [[hostile]]).render()
        #expect(!rendered.contains("\u{1B}"))
        #expect(!rendered.contains("\u{07}"))
        #expect(!rendered.contains("\u{202E}"))
        #expect(rendered.split(separator: "\n").count == 2, "a newline in a cell must not add a row")
        let details = DetailList([("name", hostile)]).render()
        #expect(!details.contains("\u{1B}") && !details.contains("\n"))
    }

    @Test func ordinaryUnicodeSurvives() {
        let name = "Café Ünïcode 👩‍💻 日本"
        #expect(Table(headers: ["NAME"], rows: [[name]]).render() == "NAME\n" + name)
    }

    @Test func detailValuesAlignAndMissingOnesShowADash() {
        let rendered = DetailList([("id", "prj_1"), ("repoUrl", "https://x/y.git"), ("statusReason", nil)]).render()
        #expect(
            rendered == """
                id:           prj_1
                repoUrl:      https://x/y.git
                statusReason: -
                """)
    }

    @Test func emptyTableIsJustTheHeader() {
        #expect(Table(headers: ["ID", "NAME"], rows: []).render() == "ID  NAME")
    }
}
