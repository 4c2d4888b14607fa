/* The header holds the whole module: one inline function. */
