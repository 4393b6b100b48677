# Seurat 4.3 on a 10x folder: the steps milkcells scrna annotate runs, with the same parameters where Seurat has them.
# Usage: Rscript seurat.R MATRIX_DIR OUT_PREFIX [full]
#   writes OUT_PREFIX.clusters.csv (barcode,cluster) and OUT_PREFIX.times.csv (step,seconds)
#   "full" adds RunUMAP and FindAllMarkers (Wilcoxon), as annotate also computes an embedding and markers.
suppressPackageStartupMessages(library(Seurat))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; out <- args[2]; full <- length(args) > 2 && args[3] == "full"
times <- list()
step <- function(name, expr) { t <- system.time(v <- force(expr))[["elapsed"]]; times[[name]] <<- t; v }
counts <- step("read", Read10X(dir))
obj <- step("object", CreateSeuratObject(counts, min.cells = 0, min.features = 0))
obj <- step("normalise", NormalizeData(obj, normalization.method = "LogNormalize", scale.factor = 1e4, verbose = FALSE))
obj <- step("hvg", FindVariableFeatures(obj, selection.method = "vst", nfeatures = 2000, verbose = FALSE))
obj <- step("scale", ScaleData(obj, features = VariableFeatures(obj), verbose = FALSE))
obj <- step("pca", RunPCA(obj, npcs = 50, verbose = FALSE, seed.use = 1))
obj <- step("neighbours", FindNeighbors(obj, dims = 1:30, k.param = 15, verbose = FALSE))
obj <- step("clusters", FindClusters(obj, resolution = 1, random.seed = 1, verbose = FALSE))
if (full) {
  obj <- step("umap", RunUMAP(obj, dims = 1:30, n.neighbors = 15, min.dist = 0.5, seed.use = 1, verbose = FALSE))
  m <- step("markers", FindAllMarkers(obj, test.use = "wilcox", only.pos = TRUE, verbose = FALSE))
}
write.csv(data.frame(barcode = colnames(obj), cluster = as.character(Idents(obj))), paste0(out, ".clusters.csv"), row.names = FALSE, quote = FALSE)
write.csv(data.frame(step = names(times), seconds = unlist(times)), paste0(out, ".times.csv"), row.names = FALSE, quote = FALSE)
