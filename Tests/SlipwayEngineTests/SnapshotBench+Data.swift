import Foundation
import SlipwayDrivers

/// The data the bench snapshots: a database and a filestore of a given size, made to look like a
/// business's (rows with numbers, dates, references and free text; attachments that are mostly already
/// compressed, some text), so `pg_dump`'s and gzip's compression have realistic work.
extension SnapshotBenchHands {
    /// Fills the instance's database to at least `bytes` (`pg_database_size`, tables and indexes) with rows of
    /// an invoice-like table owned by the instance's role. Answers the size reached and the rows.
    func fillDatabase(to bytes: Int, report: (String) -> Void) async throws -> (bytes: Int, rows: Int) {
        let role = try PostgresQuoting.identifier(database)
        try await psql(
            """
            SET ROLE \(role);
            CREATE TABLE bench_moves (
                id bigint PRIMARY KEY, partner_id integer NOT NULL, amount numeric(14, 2) NOT NULL,
                created timestamptz NOT NULL, state text NOT NULL, name text NOT NULL, note text);
            CREATE INDEX bench_moves_partner ON bench_moves (partner_id)
            """, database: database)
        let batch = 250_000
        var rows = 0
        var size = try await databaseState().bytes
        while size < bytes {
            let sizeText = try await psql(
                """
                SET ROLE \(role);
                INSERT INTO bench_moves
                SELECT i, (random() * 100000)::int, round((random() * 100000)::numeric, 2),
                    timestamptz '2021-01-01' + random() * interval '1500 days',
                    (ARRAY['draft', 'posted', 'cancel'])[1 + i % 3],
                    'INV/' || (2021 + i % 5) || '/' || lpad(i::text, 8, '0'),
                    md5(random()::text) || ' ' || repeat('lorem ipsum dolor sit amet ', i % 4) || md5(i::text)
                FROM generate_series(\(rows + 1), \(rows + batch)) AS i;
                SELECT pg_database_size(current_database())
                """, database: database)
            rows += batch
            guard let reached = Int(sizeText) else { throw SnapshotBenchFailure("pg_database_size: \(sizeText)") }
            size = reached
            report("database: \(rows) rows, \(SnapshotBench.mebibytes(size))")
        }
        // Hint bits and statistics set now, not by whichever side reads first. Without parallel workers: their
        // shared memory would not fit in the container's 64 MB /dev/shm (Docker's default).
        try await psql("VACUUM (ANALYZE, PARALLEL 0) bench_moves", database: database)
        return try await databaseState()
    }

    /// Fills the filestore, laid out as Odoo's (`filestore/DATABASE/xx/file`, owned by uid 101), with files
    /// until their sizes add up to at least `bytes`: mostly small ones, some of a few hundred KB, a few of
    /// several MB; six in ten random bytes (images, PDFs: gzip cannot shrink them), two base64 text (mail),
    /// two numeric text (CSV exports, logs).
    func fillFilestore(to bytes: Int) async throws -> (bytes: Int, files: Int) {
        let script = #"""
            set -eu
            target=$1
            dir=/filestore/filestore/$2
            total=0
            i=0
            while [ "$total" -lt "$target" ]; do
                i=$((i + 1))
                sub="$dir/$(printf %02x $((i % 256)))"
                mkdir -p "$sub"
                if [ $((RANDOM % 25)) -eq 0 ]; then size=$((2097152 + RANDOM * 128))
                elif [ $((RANDOM % 5)) -eq 0 ]; then size=$((131072 + RANDOM * 16))
                else size=$((4096 + RANDOM * 2)); fi
                file="$sub/$(printf %08d "$i")"
                case $((RANDOM % 10)) in
                6 | 7) head -c $((size * 3 / 4)) /dev/urandom | base64 >"$file" ;;
                8 | 9) head -c $((size / 3 + 16)) /dev/urandom | od -An -tu2 | head -c "$size" >"$file" ;;
                *) head -c "$size" /dev/urandom >"$file" ;;
                esac
                total=$((total + $(stat -c %s "$file")))
            done
            chown -R 101:101 /filestore/filestore
            """#
        try await oneOff(["bash", "-c", script, "bash", String(bytes), database], readOnlyFilestore: false)
        return try await filestoreState()
    }
}
