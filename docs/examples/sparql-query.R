# Query the NATO–Iraq knowledge graph's SPARQL endpoint from R: the answer as a data frame,
# each column typed by its datatypes.
#
# Needs R (4.1 or later) with httr2 and jsonlite: install.packages(c("httr2", "jsonlite")), or on
# Debian and Ubuntu `apt install r-base-core r-cran-httr2 r-cran-jsonlite`.
#
# From R:
#   source("docs/examples/sparql-query.R")
#   events <- sparql_df("http://127.0.0.1:8000/sparql", "
#     SELECT ?event ?label ?earliest WHERE {
#       ?event a nio:Event ; rdfs:label ?label ; sem:hasEarliestBeginTimeStamp ?earliest
#     } ORDER BY ?earliest")
#   str(events)   # earliest is a Date; the endpoint predeclares the project's prefixes
#
# From a shell (prints the answer as CSV):
#   Rscript docs/examples/sparql-query.R http://127.0.0.1:8000/sparql queries/cq-02-events-2016.rq

library(httr2)
library(jsonlite)

XSD <- "http://www.w3.org/2001/XMLSchema#"
INTEGERS <- paste0(XSD, c(
  "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
  "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
  "unsignedByte"
))
NUMBERS <- paste0(XSD, c("decimal", "double", "float"))

# One column: the cells of one variable (NULL where unbound) as an R vector, typed when every
# value has the same kind of datatype; otherwise the values as text.
typed_column <- function(cells) {
  values <- vapply(cells, function(cell) if (is.null(cell)) NA_character_ else cell$value, "")
  types <- vapply(cells, function(cell) {
    if (is.null(cell)) NA_character_ else if (is.null(cell$datatype)) cell$type else cell$datatype
  }, "")
  present <- unique(types[!is.na(types)])
  if (length(present) == 0) {
    return(values)
  }
  if (all(present %in% INTEGERS)) {
    numbers <- as.numeric(values)
    if (all(is.na(numbers) | abs(numbers) < .Machine$integer.max)) {
      return(as.integer(numbers))
    }
    return(numbers)
  }
  if (all(present %in% c(INTEGERS, NUMBERS))) {
    return(as.numeric(values))
  }
  if (all(present == paste0(XSD, "boolean"))) {
    return(values %in% c("true", "1") & !is.na(values))
  }
  if (all(present == paste0(XSD, "date"))) {
    return(as.Date(values))
  }
  if (all(present == paste0(XSD, "dateTime"))) {
    return(as.POSIXct(values, format = "%Y-%m-%dT%H:%M:%OS", tz = "UTC"))
  }
  values
}

# The answer to a SELECT query as a data frame, one column per variable, in the query's order.
sparql_df <- function(endpoint, query) {
  response <- request(endpoint) |>
    req_headers(Accept = "application/sparql-results+json") |>
    req_body_form(query = query) |>
    req_perform()
  answer <- fromJSON(resp_body_string(response, encoding = "UTF-8"), simplifyVector = FALSE)
  variables <- unlist(answer$head$vars)
  bindings <- answer$results$bindings
  columns <- lapply(variables, function(name) typed_column(lapply(bindings, function(row) row[[name]])))
  names(columns) <- variables
  as.data.frame(columns, stringsAsFactors = FALSE, check.names = FALSE)
}

if (sys.nframe() == 0L) {
  args <- commandArgs(trailingOnly = TRUE)
  endpoint <- if (length(args) >= 1) args[[1]] else "http://127.0.0.1:8000/sparql"
  query <- if (length(args) >= 2) {
    paste(readLines(args[[2]], encoding = "UTF-8", warn = FALSE), collapse = "\n")
  } else {
    "SELECT ?decision ?label WHERE { ?decision a nio:Decision ; rdfs:label ?label } LIMIT 5"
  }
  frame <- sparql_df(endpoint, query)
  write.csv(frame, stdout(), row.names = FALSE, na = "", fileEncoding = "UTF-8")
}
