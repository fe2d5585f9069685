import Foundation

/// One command's conversation with the API: the client for the resolved connection, and
/// the output in the form asked for (`--json` or tables and `key: value` lines).
struct Session: Sendable {
    var environment: CLIEnvironment
    var json: Bool
    var client: APIClient

    init(environment: CLIEnvironment, options: GlobalOptions) throws {
        let connection = try Connection.resolve(variables: environment.variables, org: options.org)
        self.environment = environment
        self.json = options.json
        self.client = APIClient(
            baseURL: connection.url, token: connection.token, org: connection.org, httpClient: environment.httpClient)
    }

    /// A result line, on standard output.
    func print(_ text: String) {
        environment.output.out(text)
    }

    /// A note for the person, on standard error, so it never mixes with results.
    func note(_ text: String) {
        environment.output.err(text)
    }

    func printJSON(_ body: Data) {
        print(JSONCoding.prettyPrinted(body))
    }

    /// `GET` a list and print it as a table.
    func list<Item: Presentable>(_ path: String, of type: Item.Type) async throws {
        let reply = try await client.get(path, as: ItemList<Item>.self)
        if json { return printJSON(reply.body) }
        guard !reply.value.items.isEmpty else { return print("No \(Item.plural).") }
        print(Table(headers: Item.columns, rows: reply.value.items.map(\.row)).render())
    }

    /// `GET` one record and print its fields.
    func show<Item: Presentable>(_ path: String, as type: Item.Type) async throws {
        let reply = try await client.get(path, as: Item.self)
        if json { return printJSON(reply.body) }
        print(reply.value.details.render())
    }

    /// `POST` a new record and print its fields.
    @discardableResult
    func create<Item: Presentable>(_ path: String, body: some Encodable, as type: Item.Type) async throws -> Item {
        let reply = try await client.post(path, body: body, as: Item.self)
        if json {
            printJSON(reply.body)
        } else {
            print(reply.value.details.render())
        }
        return reply.value
    }

    /// `DELETE` a record; `done` is what a person reads afterwards.
    func delete(_ path: String, id: String, done: String) async throws {
        try await client.delete(path)
        if json {
            // The API answers 204 with no body; give scripts something to parse all the same.
            struct Deleted: Encodable {
                var id: String
                var deleted = true
            }
            let body = try JSONCoding.encoder().encode(Deleted(id: id))
            return printJSON(body)
        }
        print(done)
    }
}

/// The API's answer to a list request: `{"items": [...]}`.
struct ItemList<Item: Decodable & Sendable>: Decodable, Sendable {
    var items: [Item]
}
