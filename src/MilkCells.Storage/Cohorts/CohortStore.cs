namespace MilkCells.Storage.Cohorts;

/// <summary>Opens cohort stores by URI: <c>sqlite:PATH</c> (the default, a file), <c>duckdb:PATH</c>, <c>parquet:DIR</c> or <c>postgres://user:pass@host:port/db</c>.</summary>
public static class CohortStore
{
    /// <summary>Opens a store for writing, creating the SQLite file or the PostgreSQL schema when missing.</summary>
    /// <exception cref="Core.Errors.InputException">The URI is malformed, the server unreachable, or the file not a store.</exception>
    public static ICohortStore OpenForWrite(string uri) => Open(StoreUri.Parse(uri), write: true);

    /// <summary>Opens an existing store that holds a run, for reading (export, merge sources, reference ranges).</summary>
    /// <exception cref="Core.Errors.InputException">The URI is malformed, the store missing or empty, or the server unreachable.</exception>
    public static ICohortStore OpenForRead(string uri) => Open(StoreUri.Parse(uri), write: false);

    /// <summary>Opens a parsed store URI.</summary>
    public static ICohortStore Open(StoreUri uri, bool write) => uri.Kind switch
    {
        StoreKind.Sqlite => SqliteCohortStore.Open(uri, write),
        StoreKind.DuckDb => DuckDbCohortStore.Open(uri, write),
        StoreKind.Parquet => ParquetCohortStore.Open(uri, write),
        _ => PostgresCohortStore.Open(uri, write),
    };
}
