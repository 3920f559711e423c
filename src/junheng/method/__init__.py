"""The official method: rule sets as data, section-schools, one module per part (R, G, Q, S)."""
