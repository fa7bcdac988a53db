"""cmwork: symbolic-numeric checks of "On the Curse of Memory in Recurrent
Neural Networks: Approximation and Optimization Analysis" (Li, Han, E, Li).

Public API (Section 4.2.2 of the paper):

* :class:`GaussianTemplate`, :class:`BumpTemplate`, :class:`CallableTemplate`
  -- templates rho0 of eq. (86);
* :class:`MemoryTarget`, :class:`ExponentialSum`, :class:`PowerLaw` --
  targets rho (the power law (1+t)^(-alpha) of Appendix A);
* :func:`delta` -- Delta_{n,omega}(w) of eq. (88);
* :class:`Loss` -- J_m of eq. (80) with gradient and Hessian;
* :func:`eigenvalues`, :func:`gershgorin_discs`, :func:`weyl_interval`,
  :func:`digits_for` -- spectra at a requested precision;
* :class:`Partition`, :func:`partitions`, :func:`count_affine_spaces`,
  :func:`point_on` -- the affine spaces M*_P of Definition 4.1;
* :func:`inertia`, :func:`enclose_eigenvalue` -- certified eigenvalue
  counts and enclosures in ball arithmetic (:mod:`cmwork.certified`, needs
  the optional extra ``cert``).

Section 3 (approximation):

* :class:`LinearRNN`, :class:`BumpPath` -- the functionals (c, W, U) of
  eqs. (17)-(20) and continuous input paths;
* :func:`best_l1`, :func:`best_over_rate`, :func:`jackson`,
  :func:`rnn_of`, :func:`l1_norm_of`, :func:`power_law` -- the Muntz and
  Jackson constructions and their L^1 errors (:mod:`cmwork.approximation`).
"""
__version__ = "0.1.0"

from .approximation import (best_l1, best_over_rate, jackson,  # noqa: F401
                            l1_norm_of, power_law, rnn_of)
from .rnn import BumpPath, LinearRNN  # noqa: F401
from .landscape import (Partition, count_affine_spaces, partitions,  # noqa
                        point_on, random_partition, stirling2)
from .certified import Inertia, enclose_eigenvalue, inertia  # noqa: F401
from .loss import Loss  # noqa: F401
from .precision import digits_for, workdps  # noqa: F401
from .spectrum import (eigenvalues, gershgorin_bound,  # noqa: F401
                       gershgorin_discs, resolve_eigenvalues, weyl_interval)
from .targets import (BumpTemplate, CallableTemplate, ExponentialSum,  # noqa
                      GaussianTemplate, MemoryTarget, PowerLaw, Template,
                      delta)
