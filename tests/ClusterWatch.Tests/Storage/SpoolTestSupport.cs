using ClusterWatch.Core.Watching;

namespace ClusterWatch.Tests.Storage;

/// <summary>What the spool tests share: a reporter keeping the problems it is told, and polling for the writer task.</summary>
internal static class SpoolTestSupport
{
    public static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public sealed class ListReporter(List<string> problems) : IWatchReporter
    {
        public void Status(string line)
        {
        }

        public void Problem(string node, string message)
        {
            lock (problems)
                problems.Add(message);
        }

        public void Debug(string message)
        {
        }
    }
}
