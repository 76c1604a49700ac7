// ringcached entry point: flags -> Config -> Server::Run.
int main() { return 0; }
