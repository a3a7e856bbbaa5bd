package io.aiobridge.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.util.ClassUtils;
import reactor.netty.resources.LoopResources;

/**
 * The event loops Reactor Netty's server serves requests on, as carriers for the application's
 * loops: Spring Boot's Netty server runs on its {@link ReactorResourceFactory}'s loop resources,
 * and {@code onServer} returns the same cached group the server's workers use. Referenced only
 * when {@link #PRESENT}, so an application without Reactor Netty never loads it.
 */
final class NettyServerLoops {
    /** Whether Reactor Netty and Spring's resource factory are on the class path. */
    static final boolean PRESENT = present("reactor.netty.resources.LoopResources")
            && present("org.springframework.http.client.ReactorResourceFactory")
            && present("org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory");

    private NettyServerLoops() {}

    private static boolean present(String className) {
        return ClassUtils.isPresent(className, NettyServerLoops.class.getClassLoader());
    }

    /**
     * The server's event loops, or null when the application does not serve with Reactor Netty
     * (a servlet server, or a client-only application whose resource factory has no server).
     */
    static List<Executor> of(ListableBeanFactory beans) {
        if (beans.getBeanNamesForType(NettyReactiveWebServerFactory.class, false, false).length
                == 0) {
            return null;
        }
        ReactorResourceFactory resources =
                beans.getBeanProvider(ReactorResourceFactory.class).getIfUnique();
        if (resources == null) {
            return null;
        }
        List<Executor> loops = new ArrayList<>();
        resources.getLoopResources().onServer(LoopResources.DEFAULT_NATIVE).forEach(loops::add);
        return loops.isEmpty() ? null : loops;
    }
}
