"""One module per problem family. Each module registers itself with @register."""
