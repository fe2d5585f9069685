import ArgumentParser
import Foundation
import SlipwayCore

extension APIKeyCommand {
    /// `slipway apikey create --name N (--role R | --permission P ...) [--expires-at T | --expires-in-days N]`
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key; its secret is shown once.",
            discussion: """
                A key gets the permissions of a role (owner, admin, developer, viewer, or a custom role's id) \
                or the ones listed with --permission, like --permission view:projects --permission manage:deployments. \
                It can never hold more than you do.
                """)

        @Option(help: "Its name, to tell keys apart.")
        var name: String

        @Option(help: "The role whose permissions it gets.")
        var role: String?

        @Option(
            name: .customLong("permission"),
            help: ArgumentHelp(
                "A permission it gets, like view:projects; repeat for more.", valueName: "access:resource"))
        var permissions: [String] = []

        @Option(help: ArgumentHelp("When it stops working, ISO-8601, like 2026-12-31T23:59:59Z.", valueName: "date"))
        var expiresAt: String?

        @Option(help: ArgumentHelp("How many days from now it stops working.", valueName: "days"))
        var expiresInDays: Int?

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var role: String?
            var permissions: [String]?
            var expiresAt: String?
        }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            switch (role, permissions.isEmpty) {
            case (nil, true): throw ValidationError("give the key's access: --role ROLE or --permission P (repeatable)")
            case (.some, false): throw ValidationError("give --role or --permission, not both")
            default: break
            }
            for permission in permissions where Permission(string: permission) == nil {
                let resources = Resource.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError(
                    "--permission '\(permission)' is not view:<resource> or manage:<resource>, where resource is one of \(resources)"
                )
            }
            if expiresAt != nil, expiresInDays != nil {
                throw ValidationError("give --expires-at or --expires-in-days, not both")
            }
            if let expiresAt, JSONCoding.parseDate(expiresAt) == nil {
                throw ValidationError("--expires-at '\(expiresAt)' is not an ISO-8601 date like 2026-12-31T23:59:59Z")
            }
            if let expiresInDays, !(1...3650).contains(expiresInDays) {
                throw ValidationError("--expires-in-days must be between 1 and 3650")
            }
        }

        /// The request for this command at `now`.
        func body(now: Date) -> Body {
            var expiry = expiresAt.flatMap(JSONCoding.parseDate)
            if let expiresInDays { expiry = now.addingTimeInterval(Double(expiresInDays) * 86_400) }
            return Body(
                name: name, role: role, permissions: permissions.isEmpty ? nil : permissions,
                expiresAt: expiry.map(JSONCoding.formatDate))
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.create(
                APIClient.path("api-keys"), body: body(now: environment.now()), as: CreatedAPIKey.self)
            session.note("warning: save the token now; it will not be shown again.")
        }
    }
}

/// What `POST /api/api-keys` answers: the key's record plus its secret, this once.
struct CreatedAPIKey: Presentable {
    static let plural = "API keys"
    static let columns = APIToken.columns

    var record: APIToken
    var token: String

    private enum CodingKeys: String, CodingKey {
        case token
    }

    init(from decoder: any Decoder) throws {
        record = try APIToken(from: decoder)
        token = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .token)
    }

    var row: [String] { record.row }

    var details: DetailList {
        var details = record.details
        details.fields.append((key: "token", value: token))
        return details
    }
}
