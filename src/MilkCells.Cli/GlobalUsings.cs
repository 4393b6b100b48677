global using MilkCells.Workflows;
