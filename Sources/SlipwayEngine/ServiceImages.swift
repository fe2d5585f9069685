/// The images of the services Slipway starts on every server: Docker's registry, Caddy and PostgreSQL. The
/// defaults are the official images; where Docker Hub cannot be reached, `scripts/images` builds
/// equivalents from Debian's packages (`slipway/registry:debian`, `slipway/caddy:debian`) and
/// `slipway serve --registry-image/--proxy-image` names them.
public struct ServiceImages: Sendable, Equatable {
    public var registry: String
    public var proxy: String
    /// PostgreSQL for each server's database service; any image with the official `postgres` image's
    /// environment (`POSTGRES_PASSWORD`).
    public var database: String

    public init(
        registry: String = ServiceImages.officialRegistry, proxy: String = ServiceImages.officialProxy,
        database: String = ServiceImages.officialDatabase
    ) {
        self.registry = registry
        self.proxy = proxy
        self.database = database
    }

    public static let officialRegistry = "registry:2"
    public static let officialProxy = "caddy:2"
    public static let officialDatabase = "postgres:16"
    /// What `scripts/images` builds from Debian's `docker-registry` and `caddy` packages.
    public static let debianRegistry = "slipway/registry:debian"
    public static let debianProxy = "slipway/caddy:debian"
    /// What `scripts/images postgres` builds from Debian's PostgreSQL 15.
    public static let debianDatabase = "slipway/postgres:debian"
}
