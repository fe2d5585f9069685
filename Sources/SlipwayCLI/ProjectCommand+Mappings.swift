import ArgumentParser
import SlipwayCore

extension ProjectCommand {
    /// `slipway project mappings --project P [--add PATTERN=ENV[:PRIORITY]]... [--remove PATTERN]...`
    struct Mappings: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List, add and remove the project's branch mappings: which environment a push deploys.",
            discussion: """
                A push of a branch deploys to the environment of the matching mapping of the highest priority \
                (on equal priority the longer pattern); a `*` matches within one path segment, so release/* \
                takes release/1.2. A tag push deploys only through a tag: mapping, like tag:v*. Without a \
                matching mapping a branch goes to the environment whose own branch it is.

                --add 'release/*=staging:5' maps the pattern release/* to the environment staging (its id, or \
                its name in this project) with priority 5 (-1000 to 1000; 0 when left out); a mapping of the \
                same pattern is replaced. The pattern ends at the first '='. --remove 'release/*' removes the \
                mapping of that pattern. Removals are made before additions.

                The API replaces the whole list at once, so this command reads the project's mappings, changes \
                them and sends them all back: when two people change a project's mappings at the same time, \
                the one who saves last overwrites the other's change. List them again to check.

                With --json it prints the project as the API answers it (its branchMappings, highest priority \
                first when this command saved them).
                """)

        @Option(help: ArgumentHelp("The project's id (prj_...).", valueName: "id"))
        var project: String

        @Option(
            name: .customLong("add"),
            help: ArgumentHelp(
                "Map a branch pattern (or tag:PATTERN) to an environment, with a priority.",
                valueName: "pattern=env[:priority]"))
        var additions: [String] = []

        @Option(
            name: .customLong("remove"), help: ArgumentHelp("Remove the mapping of a pattern.", valueName: "pattern"))
        var removals: [String] = []

        @OptionGroup var options: GlobalOptions

        /// One `--add`: the environment as given, an id or a name.
        struct Addition: Equatable {
            var pattern: String
            var environment: String
            var priority: Int

            /// `PATTERN=ENV` or `PATTERN=ENV:PRIORITY`; the pattern ends at the first `=`, and a last `:`
            /// followed by a whole number starts the priority.
            init(parsing text: String) throws {
                let usage = "must be PATTERN=ENV or PATTERN=ENV:PRIORITY, like 'release/*=staging:5' (got '\(text)')"
                guard let equals = text.firstIndex(of: "=") else { throw SlipwayError.invalid("--add", usage) }
                pattern = String(text[..<equals])
                var target = String(text[text.index(after: equals)...])
                priority = 0
                if let colon = target.lastIndex(of: ":"), let number = Int(target[target.index(after: colon)...]) {
                    guard (-1000...1000).contains(number) else {
                        throw SlipwayError.invalid("--add", "priority must be -1000 to 1000 (got \(number))")
                    }
                    priority = number
                    target = String(target[..<colon])
                }
                guard !target.isEmpty else { throw SlipwayError.invalid("--add", usage) }
                environment = target
                try Validation.branchPattern(pattern, field: "--add pattern '\(pattern)'")
            }
        }

        struct Body: Encodable {
            var branchMappings: [BranchMapping]
        }

        func parsedAdditions() throws -> [Addition] {
            try additions.map(Addition.init(parsing:))
        }

        func validate() throws {
            try checkArgument {
                let patterns = try parsedAdditions().map(\.pattern)
                if let twice = patterns.first(where: { pattern in patterns.filter { $0 == pattern }.count > 1 }) {
                    throw SlipwayError.invalid("--add", "gives the pattern '\(twice)' twice")
                }
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let current = try await session.client.get(APIClient.path("projects", project), as: Project.self)
            let environments = try await session.client.get(
                APIClient.path("projects", project, "environments"), as: ItemList<Environment>.self
            ).value.items
            guard !additions.isEmpty || !removals.isEmpty else {
                return present(current, environments, session)
            }
            let mappings = try changed(current.value.branchMappings, environments: environments)
            let saved = try await session.client.patch(
                APIClient.path("projects", project), body: Body(branchMappings: mappings), as: Project.self)
            present(saved, environments, session)
            if !session.json {
                session.note("Saved \(saved.value.branchMappings.count) branch mapping(s) of project \(project).")
            }
        }

        /// The project's mappings with the removals, then the additions, made: highest priority first.
        func changed(_ mappings: [BranchMapping], environments: [Environment]) throws -> [BranchMapping] {
            var mappings = mappings
            for pattern in removals {
                guard mappings.contains(where: { $0.branchPattern == pattern }) else {
                    let patterns = mappings.map { "'\($0.branchPattern)'" }.joined(separator: ", ")
                    throw CLIError(
                        code: "not_found", message: "project \(project) has no branch mapping '\(pattern)'",
                        field: "--remove",
                        hint: mappings.isEmpty ? "it has no branch mappings" : "its patterns: \(patterns)")
                }
                mappings.removeAll { $0.branchPattern == pattern }
            }
            for addition in try parsedAdditions() {
                let environmentId = try resolve(addition.environment, among: environments)
                mappings.removeAll { $0.branchPattern == addition.pattern }
                mappings.append(
                    BranchMapping(
                        branchPattern: addition.pattern, environmentId: environmentId, priority: addition.priority))
            }
            guard mappings.count <= 100 else {
                throw CLIError(
                    code: "invalid",
                    message: "a project takes at most 100 branch mappings (this makes \(mappings.count))",
                    field: "--add")
            }
            return Self.ordered(mappings)
        }

        /// The id of the project's environment `given` names: its id, else its name (exact, else ignoring case).
        func resolve(_ given: String, among environments: [Environment]) throws -> String {
            if let byId = environments.first(where: { $0.id == given }) { return byId.id }
            var named = environments.filter { $0.name == given }
            if named.isEmpty { named = environments.filter { $0.name.lowercased() == given.lowercased() } }
            let known = environments.sorted { $0.name < $1.name }.map { "\($0.name) (\($0.id))" }
                .joined(separator: ", ")
            guard let first = named.first else {
                throw CLIError(
                    code: "not_found", message: "project \(project) has no environment '\(given)'", field: "--add",
                    hint: environments.isEmpty
                        ? "create one with `slipway env create --project \(project)`"
                        : "give the id or the name of one of its environments: \(known)")
            }
            guard named.count == 1 else {
                throw CLIError(
                    code: "ambiguous", message: "project \(project) has \(named.count) environments named '\(given)'",
                    field: "--add", hint: "give the id of the one you mean: \(known)")
            }
            return first.id
        }

        /// Highest priority first (as the server stores them); mappings of equal priority keep their order.
        static func ordered(_ mappings: [BranchMapping]) -> [BranchMapping] {
            mappings.enumerated().sorted { left, right in
                left.element.priority != right.element.priority
                    ? left.element.priority > right.element.priority : left.offset < right.offset
            }
            .map(\.element)
        }

        /// The project's mappings, highest priority first, with their environments' names; with `--json`, the
        /// project as the API answered it.
        func present(_ reply: APIClient.Reply<Project>, _ environments: [Environment], _ session: Session) {
            if session.json { return session.printJSON(reply.body) }
            guard !reply.value.branchMappings.isEmpty else {
                session.print("No branch mappings.")
                return session.note(
                    "A push deploys to the environment whose branch it is. Add one with "
                        + "`slipway project mappings --project \(project) --add 'release/*=ENV:5'`.")
            }
            let names = Dictionary(environments.map { ($0.id, $0.name) }) { first, _ in first }
            let rows = Self.ordered(reply.value.branchMappings).map {
                [$0.branchPattern, names[$0.environmentId] ?? "(deleted)", $0.environmentId, String($0.priority)]
            }
            session.print(
                Table(headers: ["PATTERN", "ENVIRONMENT", "ENVIRONMENT-ID", "PRIORITY"], rows: rows).render())
        }
    }
}
