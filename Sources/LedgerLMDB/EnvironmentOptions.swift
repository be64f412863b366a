extension Environment {
    /// How to open an environment. The defaults suit a ledger: durable commits, a map that
    /// starts at 1 GiB and doubles on demand, files private to their owner.
    public struct Options: Sendable, Hashable {
        /// The initial size of the memory map. It is address space, not disk: the data file
        /// only grows as pages are written. An environment opened for writing maps at least
        /// twice the data it holds (up to ``mapSizeBytesMax``). When a write transaction fills
        /// the map, ``Environment/write(_:)`` doubles it and runs the transaction again.
        /// The corresponding C function is `mdb_env_set_mapsize`.
        public var mapSizeBytes: Int = 1 << 30
        /// The ceiling for automatic map growth; a write that needs more fails with
        /// ``LMDBError/mapFull``.
        public var mapSizeBytesMax: Int = 1 << 40
        /// The most named databases the environment can hold. The corresponding C function is
        /// `mdb_env_set_maxdbs`.
        public var databasesMax: UInt32 = 64
        /// The most read transactions open at once across every process using the environment.
        /// The corresponding C function is `mdb_env_set_maxreaders`.
        public var readersMax: UInt32 = 126
        /// Opens the environment read-only: write transactions are refused and nothing on disk
        /// changes. The corresponding C constant is `MDB_RDONLY`.
        public var readOnly: Bool = false
        /// Flush to disk at each commit (the default). Turning it off (`MDB_NOSYNC`) keeps the
        /// database consistent but may lose the last commits on a system crash; use it only
        /// for data that can be rebuilt, such as tests.
        public var syncOnCommit: Bool = true
        /// The permission bits of the files LMDB creates (data and lock file).
        public var fileMode: UInt32 = 0o600

        /// Creates the default options.
        public init() {}
    }
}
