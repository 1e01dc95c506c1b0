try { Deno.kill(2315, "SIGCONT"); console.log("kill ok"); } catch (e) { console.log("kill err", String(e)); }
try { const c = await Deno.connect({transport:"unix", path:"/tmp/dt/nosock"}); } catch (e) { console.log("unix err", String(e)); }
try { const l = Deno.listen({transport:"unix", path:"/tmp/dt/lsock"}); console.log("listen ok"); l.close(); } catch (e) { console.log("listen err", String(e)); }
