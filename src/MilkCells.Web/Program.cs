namespace MilkCells.Web;

/// <summary>The entry point: <c>dotnet run --project src/MilkCells.Web</c> serves with the defaults; <c>milkcells serve</c> is the command people use.</summary>
public sealed class ServeProgram
{
    private ServeProgram()
    {
    }

    public static async Task Main(string[] args)
    {
        var settings = new ServeSettings(ServeSettings.DefaultUrls, null, Path.Combine("milkcells-out", "serve"), null, ServeSettings.DefaultMaxUpload,
            Environment.ProcessorCount, 64).Validate().WithRequiredToken(out _);
        await ServeHost.Build(settings, args).RunAsync();
    }
}
