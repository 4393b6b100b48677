using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Storage.Tests;

public class StoreUriTests
{
    [Theory]
    [InlineData("sqlite:cohort.db")]
    [InlineData("cohort.db")]
    public void Sqlite_uris_and_bare_paths_name_a_file(string text)
    {
        var uri = StoreUri.Parse(text);
        Assert.Equal(StoreKind.Sqlite, uri.Kind);
        Assert.Equal(Path.GetFullPath("cohort.db"), uri.Path);
    }

    [Fact]
    public void Sqlite_triple_slash_is_an_absolute_path() => Assert.Equal("/tmp/a.db", StoreUri.Parse("sqlite:///tmp/a.db").Path);

    [Fact]
    public void Postgres_uris_give_every_part_and_hide_the_password()
    {
        var uri = StoreUri.Parse("postgres://mc%40lab:p%3Ass@db.example:6543/cohorts?schema=run_7");
        Assert.Equal(("mc@lab", "p:ss", "db.example", 6543, "cohorts", "run_7"), (uri.User, uri.Password, uri.Host, uri.Port, uri.Database, uri.SchemaName));
        Assert.Equal("postgres://mc%40lab:***@db.example:6543/cohorts?schema=run_7", uri.ToString());
        Assert.Equal(5432, StoreUri.Parse("postgresql://h/db").Port);
        Assert.Equal("public", StoreUri.Parse("postgresql://h/db").SchemaName);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("sqlite:", "names no file")]
    [InlineData("mysql://u:pw@h/db", "unknown store kind 'mysql'")]
    [InlineData("postgres://u:pw@h:5432/", "names no database")]
    [InlineData("postgres://u:pw@h:5432/db?sslmode=x", "unknown option 'sslmode'")]
    [InlineData("postgres://u:pw@h:5432/db?schema=Bad-Name", "not a lower-case identifier")]
    [InlineData("postgres://u:pw@h:99999/db", "not a valid PostgreSQL URI")]
    public void Bad_uris_are_input_errors_that_say_why(string text, string expected)
    {
        var ex = Assert.Throws<InputException>(() => StoreUri.Parse(text));
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain(":pw@", ex.Message);
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    public void Shards_parse_from_zero(string text, int index, int count) => Assert.Equal(new ShardSpec(index, count), ShardSpec.Parse(text));

    [Theory]
    [InlineData("4/4")]
    [InlineData("1/0")]
    [InlineData("-1/3")]
    [InlineData("2")]
    public void Bad_shards_are_input_errors(string text) => Assert.Throws<InputException>(() => ShardSpec.Parse(text));

    [Fact]
    public void Shards_deal_mothers_round_robin_and_cover_each_once()
    {
        var shards = Enumerable.Range(0, 3).Select(i => new ShardSpec(i, 3)).ToList();
        for (long id = 0; id < 50; id++)
        {
            Assert.Equal(1, shards.Count(s => s.Contains(id)));
        }
    }

    [Theory]
    [InlineData("Stage")]
    [InlineData("day")]
    [InlineData("mother_id")]
    [InlineData("x; drop table y")]
    public void Schemas_refuse_bad_or_reserved_names(string name) =>
        Assert.Throws<ArgumentException>(() => CohortSchema.Create((name, ColumnKind.Real)));

    [Fact]
    public void Rows_refuse_a_value_of_the_wrong_kind_and_days_out_of_order()
    {
        var rows = new MotherRows(Testing.SyntheticCohort.Daily, 1);
        Assert.Throws<ArgumentException>(() => rows.Add(0).Integer(Testing.SyntheticCohort.Daily.IndexOf("milk_ml"), 3));
        Assert.Throws<ArgumentException>(() => rows.Add(0));
        Assert.Throws<ArgumentException>(() => rows.Add(1).Text(0, "a\0b"));
    }
}

public sealed class SqliteOpenTests : IDisposable
{
    private readonly MilkCells.TestSupport.TempDir _dir = new("milkcells-open");

    [Fact]
    public void A_file_that_is_not_a_store_or_a_folder_that_cannot_be_made_is_an_input_error()
    {
        var junk = _dir.File("junk.db");
        File.WriteAllText(junk, new string('x', 8192));
        Assert.Contains("cannot open the SQLite store", Assert.Throws<InputException>(() => CohortStore.OpenForRead("sqlite:" + junk)).Message);
        var file = _dir.File("plain");
        File.WriteAllText(file, "");
        Assert.Contains("does not exist", Assert.Throws<InputException>(() => CohortStore.OpenForWrite($"sqlite:{file}/sub/x.db")).Message);
        // A store is created only in an existing folder: a mistyped path never makes folders.
        Assert.Contains("does not exist", Assert.Throws<InputException>(() => CohortStore.OpenForWrite($"sqlite:{_dir.File("no")}/x.db")).Message);
        Assert.False(Directory.Exists(_dir.File("no")));
    }

    public void Dispose() => _dir.Dispose();
}
