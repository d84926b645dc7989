/* Parameter sets shared by the cell tests and bench/bench_cell.c, written as cell JSON without the closing
 * "numerics" block, so that each user appends the resolution it needs:
 *     static const char *cell = SSB_TEST_CELL_DUALFOIL_F " \"numerics\": {\"positive_cells\": 40}}";
 * SSB_TEST_CELL_MARQUIS2019: Marquis et al. 2019 liquid cell, PyBaMM parameter set
 *   (tests/reference/cell/pybamm_params/Marquis2019_parameters.json), compared with the COMSOL DFN solution.
 * SSB_TEST_CELL_DUALFOIL_F: DUALFOIL 5.1 case F, LiMn2O4 composite, single-ion conductor, Li foil
 *   (tests/reference/cell/dualfoil/F_Lifoil_SIC_LMO_*, dualfoil5.in). */
#ifndef SSB_TEST_CELLS_H
#define SSB_TEST_CELLS_H

/* Building blocks: DUALFOIL electrolyte 11 (LiPF6 in EC:DMC; = PyBaMM Marquis2019), the MCMB 2528 graphite OCV (DUALFOIL
 * negative 3) and the LiCoO2 OCV (DUALFOIL positive 6, the Dualfoil1998 fit without PyBaMM's 1.062 stretch). */
#define SSB_TEST_ELECTROLYTE_LIPF6 \
    " \"electrolyte\": {\"type\": \"liquid\", \"concentration_mol_per_m3\": 1000, \"transference_number\": 0.4," \
    "   \"conductivity_S_per_m\": \"0.0911 + 1.9101*(x/1000) - 1.052*(x/1000)**2 + 0.1554*(x/1000)**3\"," \
    "   \"diffusivity_m2_per_s\": \"5.34e-10*exp(-0.65*x/1000)\", \"thermodynamic_factor\": 1.0},"
#define SSB_TEST_OCV_MCMB \
    "0.194 + 1.5*exp(-120*x) + 0.0351*tanh((x-0.286)/0.083) - 0.0045*tanh((x-0.849)/0.119) - " \
    "0.035*tanh((x-0.9233)/0.05) - 0.0147*tanh((x-0.5)/0.034) - 0.102*tanh((x-0.194)/0.142) - " \
    "0.022*tanh((x-0.9)/0.0164) - 0.011*tanh((x-0.124)/0.0226) + 0.0155*tanh((x-0.105)/0.029)"
#define SSB_TEST_OCV_LCO_DUALFOIL \
    "2.16216 + 0.07645*tanh(30.834 - 54.4806*x) + 2.1581*tanh(52.294 - 50.294*x) - 0.14169*tanh(11.0923 - 19.8543*x) " \
    "+ 0.2051*tanh(1.4684 - 5.4888*x) + 0.2531*tanh((-x + 0.56478)/0.1316) - 0.02167*tanh((x - 0.525)/0.006)"

#define SSB_TEST_CELL_MARQUIS2019 \
    "{\"temperature_K\": 298.15, \"nominal_capacity_Ah_per_m2\": 24.0," \
    SSB_TEST_ELECTROLYTE_LIPF6 \
    " \"separator\": {\"thickness_um\": 25, \"porosity\": 1.0}," \
    " \"negative\": {\"type\": \"composite\", \"ocv\": \"" SSB_TEST_OCV_MCMB "\"," \
    "   \"thickness_um\": 100, \"active_volume_fraction\": 0.6, \"electrolyte_volume_fraction\": 0.3," \
    "   \"particle_radius_um\": 10, \"max_concentration_mol_per_m3\": 24983.2619938437, \"initial_stoichiometry\": 0.8," \
    "   \"diffusivity_m2_per_s\": 3.9e-14, \"effective_electronic_conductivity_S_per_m\": 58.5595," \
    "   \"exchange_current_prefactor_A_m2.5_per_mol1.5\": 2e-5}," \
    " \"positive\": {\"ocv\": \"2.16216 + 0.07645*tanh(30.834 - 54.4806*(1.062*x)) + 2.1581*tanh(52.294 - " \
    "50.294*(1.062*x)) - 0.14169*tanh(11.0923 - 19.8543*(1.062*x)) + 0.2051*tanh(1.4684 - 5.4888*(1.062*x)) + " \
    "0.2531*tanh((-(1.062*x) + 0.56478)/0.1316) - 0.02167*tanh(((1.062*x) - 0.525)/0.006)\"," \
    "   \"thickness_um\": 100, \"active_volume_fraction\": 0.5, \"electrolyte_volume_fraction\": 0.3," \
    "   \"particle_radius_um\": 10, \"max_concentration_mol_per_m3\": 51217.9257309275, \"initial_stoichiometry\": 0.6," \
    "   \"diffusivity_m2_per_s\": 1e-13, \"effective_electronic_conductivity_S_per_m\": 5.86899," \
    "   \"exchange_current_prefactor_A_m2.5_per_mol1.5\": 6e-7},"

#define SSB_TEST_CELL_DUALFOIL_F \
    "{\"temperature_K\": 298.0, \"nominal_capacity_Ah_per_m2\": 15.2," \
    " \"electrolyte\": {\"type\": \"single_ion\", \"concentration_mol_per_m3\": 1000}," \
    " \"separator\": {\"thickness_um\": 25, \"electrolyte_volume_fraction\": 1.0, \"ionic_conductivity_S_per_m\": " \
    "0.01}," \
    " \"positive\": {\"active_material\": \"LiMn2O4\", \"thickness_um\": 60, \"active_volume_fraction\": 0.5," \
    "   \"electrolyte_volume_fraction\": 0.3, \"carbon_volume_fraction\": 0.2, \"particle_radius_um\": 5," \
    "   \"max_concentration_mol_per_m3\": 23634.4, \"initial_stoichiometry\": 0.2, \"diffusivity_m2_per_s\": 1e-13," \
    "   \"electronic_conductivity_S_per_m\": 10, \"ionic_conductivity_S_per_m\": 0.01," \
    "   \"rate_constant_m2.5_per_mol0.5_s\": 3e-11}," \
    " \"negative\": {\"type\": \"lithium_metal\", \"exchange_current_density_A_per_m2\": 1e6},"

/* SSB_TEST_CELL_DUALFOIL_C: DUALFOIL 5.1 case C, LiCoO2 composite (DUALFOIL material 6 OCP, without PyBaMM's 1.062
 * stretch), single-ion conductor, Li foil treated as non-polarizable (tests/reference/cell/dualfoil/C_Lifoil_SIC_LCO_*,
 * dualfoil5.in; see test_cell_dualfoil_full.c for the conventions). */
#define SSB_TEST_CELL_DUALFOIL_C \
    "{\"temperature_K\": 298.0, \"nominal_capacity_Ah_per_m2\": 20.59," \
    " \"electrolyte\": {\"type\": \"single_ion\", \"concentration_mol_per_m3\": 1000}," \
    " \"separator\": {\"thickness_um\": 25, \"electrolyte_volume_fraction\": 1.0, \"ionic_conductivity_S_per_m\": " \
    "0.01}," \
    " \"positive\": {\"ocv\": \"" SSB_TEST_OCV_LCO_DUALFOIL "\"," \
    "   \"thickness_um\": 60, \"active_volume_fraction\": 0.5, \"electrolyte_volume_fraction\": 0.3," \
    "   \"carbon_volume_fraction\": 0.2, \"particle_radius_um\": 5, \"max_concentration_mol_per_m3\": 51217.9," \
    "   \"initial_stoichiometry\": 0.5, \"diffusivity_m2_per_s\": 1e-13, \"electronic_conductivity_S_per_m\": 10," \
    "   \"ionic_conductivity_S_per_m\": 0.01, \"rate_constant_m2.5_per_mol0.5_s\": 3e-11}," \
    " \"negative\": {\"type\": \"lithium_metal\", \"exchange_current_density_A_per_m2\": 1e6},"

/* SSB_TEST_CELL_DUALFOIL_B: DUALFOIL 5.1 default deck (cases A and B, tests/reference/cell/dualfoil/A_*, B_*,
 * dualfoil5.in): MCMB graphite | LiPF6 EC:DMC | LiCoO2, 100/25/100 um, T = 298 K (the deck's activation energies
 * refer to 298 K: no correction), x0 = 0.6, y0 = 0.5, c_t = 3600 cot rho / F with F = 96487 (24983.26 and
 * 51217.93 mol/m3), rka1 = 1e-5, rka3 = 3e-11 (i0 = F rka sqrt(c_e c_s (c_t - c_s))), anode film resistance
 * 0.001 ohm m2, matrix sigma_eff = sigma (1 - eps_e)^1.5 = 100 / 10 S/m x 0.7^1.5. */
#define SSB_TEST_CELL_DUALFOIL_B \
    "{\"temperature_K\": 298.0, \"nominal_capacity_Ah_per_m2\": 24.0," SSB_TEST_ELECTROLYTE_LIPF6 \
    " \"separator\": {\"thickness_um\": 25, \"porosity\": 1.0}," \
    " \"negative\": {\"type\": \"composite\", \"ocv\": \"" SSB_TEST_OCV_MCMB "\"," \
    "   \"thickness_um\": 100, \"active_volume_fraction\": 0.6, \"electrolyte_volume_fraction\": 0.3," \
    "   \"particle_radius_um\": 10, \"max_concentration_mol_per_m3\": 24983.2619938437, \"initial_stoichiometry\": 0.6," \
    "   \"diffusivity_m2_per_s\": 3.9e-14, \"effective_electronic_conductivity_S_per_m\": 58.5662," \
    "   \"rate_constant_m2.5_per_mol0.5_s\": 1e-5, \"interface_resistance_ohm_m2\": 0.001}," \
    " \"positive\": {\"ocv\": \"" SSB_TEST_OCV_LCO_DUALFOIL "\"," \
    "   \"thickness_um\": 100, \"active_volume_fraction\": 0.5, \"electrolyte_volume_fraction\": 0.3," \
    "   \"particle_radius_um\": 10, \"max_concentration_mol_per_m3\": 51217.9257309275, \"initial_stoichiometry\": 0.5," \
    "   \"diffusivity_m2_per_s\": 1e-13, \"effective_electronic_conductivity_S_per_m\": 5.85662," \
    "   \"rate_constant_m2.5_per_mol0.5_s\": 3e-11},"

#endif
