using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;

namespace MilkCells.Model.Tests;

public class ModelLoadingTests
{
    [Fact]
    public void The_embedded_model_loads_and_validates()
    {
        try
        {
            var model = MilkModel.Embedded;
            Assert.NotEmpty(model.CellTypes);
        }
        catch (InputProblemsException ex)
        {
            Assert.Fail(ex.Message);
        }
    }
}
