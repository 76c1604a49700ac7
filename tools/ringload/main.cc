// ringload: the bundled load tool (tools/ringload/README in a later change).
int main() { return 0; }
