/** A user's module: the libraries by their module names. */
module example.user {
    requires io.aiobridge.core;
    requires io.aiobridge.reactor;
    requires reactor.core;
}
