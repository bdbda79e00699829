using ClusterWatch.Core.Storage.MySql;

namespace ClusterWatch.Tests.Storage;

public sealed class MySqlUsageStoreTests
{
    [Fact]
    public async Task Description_NamesUserHostDatabase_NeverThePassword()
    {
        await using var store = new MySqlUsageStore("Server=db01;Port=3307;Database=cw;User ID=watcher", "s3cret-Pa55");
        Assert.Equal("MySQL watcher@db01:3307/cw", store.Description);
        Assert.DoesNotContain("s3cret", store.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Server=db01;Database=cw;User ID=watcher;Password=hunter2")]
    [InlineData("Server=db01;Database=cw;User ID=watcher;pwd=hunter2")]
    public void ConnectionStringWithPassword_Refused_SayingWhereItGoes(string cs)
    {
        var e = Assert.Throws<ArgumentException>(() => new MySqlUsageStore(cs, null));
        Assert.Contains("CLUSTERWATCH_DB_PASSWORD", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectionStringWithoutDatabase_Refused() =>
        Assert.Contains("Database", Assert.Throws<ArgumentException>(() => new MySqlUsageStore("Server=db01;User ID=watcher", null)).Message, StringComparison.Ordinal);

    [Fact]
    public void Fit_CutsTooLongText_WithoutSplittingAnEmoji()
    {
        var command = new string('x', 254) + "🔥"; // 256 UTF-16 units; the column holds 255
        var row = MySqlRows.Fit(["command", "pid"], [command, 1]);
        Assert.Equal(new string('x', 254), row[0]);
        Assert.Equal(1, row[1]);
    }

    [Fact]
    public void SortByKey_OrdersRowsByTheirKeyColumns()
    {
        var rows = new List<object?[]> { new object?[] { "n2", 5L, "x" }, new object?[] { "n1", 9L, "y" }, new object?[] { "n1", 3L, "z" } };
        MySqlRows.SortByKey(rows, ["node", "ts", "v"], ["node", "ts"]);
        Assert.Equal(["z", "y", "x"], rows.Select(r => (string)r[2]!));
    }
}
