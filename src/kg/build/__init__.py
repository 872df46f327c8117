"""The build pipeline: load the hand-edited sources, generate what follows by rule, check quotes,
validate, then write ``dist/`` atomically (:mod:`kg.build.pipeline`)."""
