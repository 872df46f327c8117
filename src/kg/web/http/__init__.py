"""HTTP plumbing shared by every route: request limits, conditional GET, security headers, error
answers, the result cache."""
