// The simulator's admin endpoint (plain HTTP, loopback): a JSON face on
// Simulator's own API, routes as simulator.h lists them: /healthz,
// /admin/stats, /admin/messages/ID, /admin/faults (GET and POST),
// /admin/clntcomm/seed, /admin/ics/seed and /admin/ics. The JSON is
// StatsToJson, MessageToJson and FaultsToJson's (simulator.h), and
// IcsChangeJson's (ics_register.h).
//
//   httplib::Server admin;
//   RouteAdmin(simulator, admin);
//   admin.listen("127.0.0.1", 8081);
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_ADMIN_HANDLERS_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_ADMIN_HANDLERS_H_

#include <httplib.h>

#include "pipeline/sim/simulator/simulator.h"

namespace sbrgate::sim {

// Routes the admin endpoint's requests on `admin` to `sim`, which must
// outlive the server's last request.
void RouteAdmin(Simulator& sim, httplib::Server& admin);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_ADMIN_HANDLERS_H_
