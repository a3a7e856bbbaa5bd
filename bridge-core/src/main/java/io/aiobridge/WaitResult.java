package io.aiobridge;

import java.util.Set;

/**
 * What {@link Aio#wait} returns: the futures that are done and those still pending, each in the
 * order they were given.
 *
 * @param done the futures done when the wait returned
 * @param pending the others
 * @param <F> the future type
 */
public record WaitResult<F extends AsyncFuture<?>>(Set<F> done, Set<F> pending) {}
