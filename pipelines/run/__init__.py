"""Running the pipeline: settings, Beam options, the graph, launching, streaming, the output lock."""
